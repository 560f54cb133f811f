// zod schemas for what admins send (API JSON bodies and web forms), and the one way a
// validation failure is reported: `{ error, field, reason }` naming the first bad field.
import { z } from 'zod';
import { TAG, TAG_RULE } from '../model.js';
import { fieldError, type FieldError } from '../subscriptions/service.js';

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Empty means "clear it" (null) for the optional text fields of a feed. */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .nullable()
    .transform((v) => (v ? v : null));

const optionalHttpUrl = z
  .string()
  .trim()
  .max(2048, 'at most 2048 characters')
  .nullable()
  .refine((v) => !v || isHttpUrl(v), 'an absolute http or https URL')
  .transform((v) => (v ? v : null));

const tagList = z
  .array(z.string().trim().toLowerCase().regex(TAG, `tags are ${TAG_RULE}`))
  .max(20, 'at most 20 tags')
  .transform((tags) => [...new Set(tags)]);

export const feedFieldsShape = {
  name: optionalText(200).optional(),
  face: optionalHttpUrl.optional(),
  link: optionalHttpUrl.optional(),
  tags: tagList.optional(),
  excerpt: z.boolean().optional(),
};

export const apiAddBody = z
  .object({ url: z.string().trim().min(1, 'required').max(2048, 'at most 2048 characters'), ...feedFieldsShape })
  .strict();

/** A feed's own rules; each rule is checked by pipeline/filters.ts (subscriptions/filter-rules.ts). null clears them. */
const filterLists = z
  .object({ include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional() })
  .strict()
  .nullable();

export const apiPatchBody = z
  .object({ ...feedFieldsShape, filters: filterLists.optional(), status: z.literal('active', 'only "active" (re-enable a gone feed)').optional() })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'nothing to change');

/** `POST /api/lists`: a reading list's URL and the tags it gives its feeds. */
export const apiListBody = z
  .object({ url: z.string().trim().min(1, 'required').max(2048, 'at most 2048 characters'), tags: tagList.optional() })
  .strict();

/** The admin form's reading list: its URL, and tags as one "a, b c" field. */
export const formListFields = z.object({
  url: z.string().trim().min(1, 'required').max(2048, 'at most 2048 characters'),
  tags: z
    .string()
    .default('')
    .transform((s) => s.split(/[\s,]+/).filter(Boolean))
    .pipe(tagList),
});

export const idParam = z.string().regex(/^[1-9]\d{0,15}$/, 'a feed id (positive integer)').transform(Number);

/** Web forms send strings: tags as one "a, b c" field, excerpt as a checkbox. */
export const formFeedFields = z.object({
  name: optionalText(200).default(null),
  face: optionalHttpUrl.default(null),
  link: optionalHttpUrl.default(null),
  tags: z
    .string()
    .default('')
    .transform((s) => s.split(/[\s,]+/).filter(Boolean))
    .pipe(tagList),
  excerpt: z
    .string()
    .optional()
    .transform((v) => v === 'on' || v === '1' || v === 'true'),
});

export function firstIssue(error: z.ZodError, fallbackField = 'body'): FieldError {
  const issue = error.issues[0];
  if (!issue) return fieldError(fallbackField, 'invalid');
  if (issue.code === 'unrecognized_keys') return fieldError(issue.keys[0] ?? fallbackField, 'unknown field');
  const field = issue.path.length ? issue.path.map(String).join('.') : fallbackField;
  const reason = issue.message.startsWith('Invalid input') ? issue.message.replace(/^Invalid input: /, '') : issue.message;
  return fieldError(field, reason);
}
