// Templates: Eta files in views/ (escaping by default), each replaceable by a file of the same
// name in the directory that the config's `views:` key names. Rendering is a pure function of
// its data, so the server and `planet build` produce the same bytes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

/** The shipped templates: views/ at the project root (src/render and dist/render are two levels below it). */
export const SHIPPED_VIEWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');

export interface Templates {
  /** Renders views/<name>.eta (or the override) with `data` as `it`. */
  render(name: string, data: object): string;
}

export function createTemplates(overrideDir?: string): Templates {
  const override = overrideDir ? path.resolve(overrideDir) : undefined;
  const eta = new Eta({ views: SHIPPED_VIEWS_DIR, autoEscape: true, autoTrim: false, cache: true });
  // Every name resolves from the top of a views directory ("layout", "/layout" and "./layout" alike):
  // the admin's file of that name if there is one, else the shipped one. Includes resolve the same way.
  eta.resolvePath = function (template) {
    const name = (template.endsWith('.eta') ? template : `${template}.eta`).replace(/^[./\\]+/, '');
    for (const dir of override ? [override, SHIPPED_VIEWS_DIR] : [SHIPPED_VIEWS_DIR]) {
      const candidate = path.resolve(dir, name);
      if (candidate.startsWith(dir + path.sep) && (dir === SHIPPED_VIEWS_DIR || existsSync(candidate))) return candidate;
    }
    throw new Error(`views: template "${template}" is outside the views directory`);
  };
  return { render: (name, data) => eta.render(name, data) };
}
