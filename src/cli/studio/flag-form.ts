/**
 * The flag editor's form, read back into a definition: the fields the form shows replace the
 * stored ones, every other field (prerequisites, layer, schedule, salt, metadata) is kept. The
 * candidate is checked by `validateFlag`, the same check every store runs before it writes, field
 * by field: each mistake is reported at its field, then that field is put back to its stored value
 * and the check runs again, so that one bad field does not hide another.
 * @packageDocumentation
 */
import type { FlagDefinition, StoredFlag } from '@tiqology/elite';
import { validateFlag } from '@tiqology/elite/flags/validate';
import type { FormFields } from './body.js';

/** What the editor shows for one flag: the form's values as typed, and the errors per field. */
export interface FlagFormState {
  /** The form's values as typed, by input name (`rollout`, `variants[1].weight`). */
  values: Record<string, string>;
  /** The message of each field in error, by input name. */
  errors: Record<string, string>;
}

/** The definition without the store's bookkeeping. */
export const definitionOf = ({ version: _v, updatedAt: _u, ...definition }: StoredFlag): FlagDefinition => definition;

const json = (v: unknown) => (v === undefined ? '' : JSON.stringify(v, null, 2));

/** The form's values for a stored flag, as the editor first shows them. */
export function formValues(flag: FlagDefinition): Record<string, string> {
  const values: Record<string, string> = {
    enabled: flag.enabled ? 'on' : '',
    description: flag.description ?? '',
    rollout: flag.rollout === undefined ? '' : String(flag.rollout),
    defaultVariant: flag.defaultVariant ?? '',
    rules: json(flag.rules),
    segments: json(flag.segments),
  };
  flag.variants?.forEach((v, i) => {
    values[`variants[${i}].key`] = v.key;
    values[`variants[${i}].weight`] = String(v.weight);
    values[`variants[${i}].value`] = json(v.value);
  });
  return values;
}

/** A number as typed: the number when the text is one, else the text (so the check names what was typed). */
function numberOrText(text: string): unknown {
  const t = text.trim();
  return /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : t;
}

/** Parses a JSON field; a syntax error is that field's error. */
function parseJson(name: string, text: string, errors: Record<string, string>): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    errors[name] = `${name} is not valid JSON: ${(error as Error).message}`;
    return undefined;
  }
}

/** The path of a field message (`variants[1].weight`) as path segments. */
const segmentsOf = (field: string): (string | number)[] =>
  [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] === undefined ? (m[1] as string) : Number(m[2])));

function getAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const p of path) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[p] : undefined;
  return node;
}

/** Sets (or, for `undefined`, deletes) the value at `path`; false when the parent is missing. */
function setAt(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): boolean {
  const parent = getAt(root, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return false;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete (parent as Record<string | number, unknown>)[last];
  else (parent as Record<string | number, unknown>)[last] = structuredClone(value);
  return true;
}

/** The form input that shows the error of a field path: the longest input name it starts with, else the top-level field. */
export function inputFor(field: string, inputs: readonly string[]): string {
  let best: string | undefined;
  for (const name of inputs) {
    if (
      (field === name || field.startsWith(`${name}.`) || field.startsWith(`${name}[`)) &&
      (best === undefined || name.length > best.length)
    )
      best = name;
  }
  return best ?? (segmentsOf(field)[0] as string | undefined) ?? 'flag';
}

/** `elite/flags: flag "x": rollout must be …` → `rollout must be …`. */
const shortMessage = (message: string) => message.replace(/^elite\/flags: (flag "[^"]*": )?/, '');

/**
 * The form's fields by name, except the studio's own (`_key`, `_version`, `_step`, and so every
 * name starting with `_`, `__proto__` included), in an object without a prototype: `constructor`
 * is a field like any other.
 */
export function formFieldValues(form: FormFields): Record<string, string> {
  const values: Record<string, string> = Object.create(null);
  for (const name of form.names()) {
    // defineProperty, not assignment: `values.__proto__ = …` would not make a field even without a prototype.
    if (!name.startsWith('_'))
      Object.defineProperty(values, name, { value: form.get(name) ?? '', enumerable: true, writable: true, configurable: true });
  }
  return values;
}

/** The result of reading the form: a valid definition, or the errors by input name. */
export type FlagFormResult = { ok: true; flag: FlagDefinition } | { ok: false; state: FlagFormState };

/**
 * Reads the editor's form against the stored flag and validates the result with `validateFlag`,
 * field by field (at most 20 rounds). Never throws for bad input.
 */
export function readFlagForm(form: FormFields, stored: StoredFlag): FlagFormResult {
  const values = formFieldValues(form);
  const errors: Record<string, string> = Object.create(null);
  const candidate: Record<string, unknown> = { ...structuredClone(definitionOf(stored)) };
  candidate.enabled = values.enabled === 'on';
  const text = (name: string, field = name) => {
    const v = (values[name] ?? '').trim();
    if (v === '') delete candidate[field];
    else candidate[field] = v;
  };
  text('description');
  text('defaultVariant');
  const rollout = (values.rollout ?? '').trim();
  if (rollout === '') delete candidate.rollout;
  else candidate.rollout = numberOrText(rollout);
  if (stored.variants !== undefined) {
    candidate.variants = stored.variants.map((v, i) => {
      const variant: Record<string, unknown> = { key: (values[`variants[${i}].key`] ?? v.key).trim() };
      variant.weight = numberOrText(values[`variants[${i}].weight`] ?? String(v.weight));
      const parsed = parseJson(`variants[${i}].value`, values[`variants[${i}].value`] ?? json(v.value), errors);
      if (parsed !== undefined) variant.value = parsed;
      else if (errors[`variants[${i}].value`] !== undefined && v.value !== undefined) variant.value = v.value;
      return variant;
    });
  }
  for (const name of ['rules', 'segments'] as const) {
    const parsed = parseJson(name, values[name] ?? '', errors);
    if (errors[name] !== undefined) continue;
    if (parsed === undefined) delete candidate[name];
    else candidate[name] = parsed;
  }

  const inputs = Object.keys(formValues(stored as FlagDefinition)).concat(Object.keys(values));
  const original = definitionOf(stored) as unknown as Record<string, unknown>;
  let last = '';
  let lastTop = '';
  for (let round = 0; round < 20; round++) {
    try {
      const flag = validateFlag(candidate);
      return Object.keys(errors).length === 0 ? { ok: true, flag } : { ok: false, state: { values, errors } };
    } catch (error) {
      const field = (error as { field?: string }).field ?? 'flag';
      errors[inputFor(field, inputs)] ??= shortMessage((error as Error).message);
      // Put the field back as stored and check the rest; when that does not clear it, the whole top-level field.
      const path = segmentsOf(field);
      if (field === 'flag' || path.length === 0) break;
      if (field === last) {
        if (field === lastTop || !setAt(candidate, path.slice(0, 1), getAt(original, path.slice(0, 1)))) break;
        lastTop = field;
      } else if (!setAt(candidate, path, getAt(original, path))) break;
      last = field;
    }
  }
  return { ok: false, state: { values, errors } };
}
