// HTML form bodies, URL-encoded (@fastify/formbody) or multipart (@fastify/multipart, the OPML
// upload), with their size limits. Only the admin UI takes forms: the JSON API, registered
// outside its scope, keeps answering 415 to a form body.
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import fp from 'fastify-plugin';
import type { z } from 'zod';
import { firstIssue } from '../../admin/schemas.js';
import type { FieldError } from '../../subscriptions/service.js';
import { MAX_OPML_BYTES } from '../../subscriptions/service.js';

/** A text field (and a whole URL-encoded form) holds at most this much. */
const MAX_FIELD_BYTES = 64 * 1024;

export const forms = fp(
  async (app) => {
    await app.register(formbody, { bodyLimit: MAX_FIELD_BYTES });
    // Fields and the one file are collected into request.body, read there like a URL-encoded form.
    await app.register(multipart, { attachFieldsToBody: true, limits: { fileSize: MAX_OPML_BYTES, files: 1, fields: 10, fieldSize: MAX_FIELD_BYTES } });
  },
  { name: 'planet-forms' },
);

/** A form field as a string, whether it came URL-encoded or as a multipart field. */
export function formValue(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'string') return (v as { value: string }).value;
  return undefined;
}

/** Every value of a field sent more than once (radio groups' companions, repeated hidden fields). */
export function formValues(body: unknown, name: string): string[] {
  if (!body || typeof body !== 'object') return [];
  const v = (body as Record<string, unknown>)[name];
  if (Array.isArray(v)) return v.flatMap((x) => (typeof x === 'string' ? [x] : []));
  const one = formValue(body, name);
  return one === undefined ? [] : [one];
}

/** The named fields that were sent, as strings. */
export function formObject(body: unknown, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = formValue(body, n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** A form validation failure as the field at fault; a form has one tags field: "tags.2" (the third tag) is reported against it. */
export function formIssue(error: z.ZodError): FieldError {
  const issue = firstIssue(error);
  const [field, index] = issue.field.split('.');
  return index === undefined ? issue : { ...issue, field: field!, reason: `tag ${Number(index) + 1}: ${issue.reason}` };
}
