import type { FlowProgress } from './types';

/** One field of the form an execution waits for (status `UserInput`). */
export interface UserInputField {
  /** The key to send in `submitUserInput` values (dotted for nested objects: `address.city`). */
  key: string;
  /** The label: the form's `title`, else the schema's, else the key. */
  title: string;
  /** The JSON schema type: `string`, `number`, `integer`, `boolean`, `object`, `array`. @default 'string' */
  type: string;
  /** The current value from the progress `model`, else the schema's `default`. */
  default: unknown;
  /** Whether the schema (or the form) marks it required. */
  required: boolean;
  /** The allowed values, when the schema lists them. */
  enum?: unknown[];
  /** Help text from the form or the schema. */
  description?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Turns a UserInput progress (`schema`, `model`, `form`) into a flat list of fields, in the
 * form's order and then the schema's, so a UI (an Angular reactive form, a CLI prompt) can be
 * built from it. Keys the form lays out but the schema lacks are kept as strings.
 *
 * @param progress - a progress object; one without a schema gives `[]`
 * @example
 * const fields = userInputFields(event.progress);
 * const values = Object.fromEntries(fields.map((f) => [f.key, f.default]));
 * client.submitUserInput(event.executionId, { ...values, approved: true }).subscribe();
 */
export function userInputFields(progress: Pick<FlowProgress, 'schema' | 'model' | 'form'>): UserInputField[] {
  const schema = isObject(progress?.schema) ? progress.schema : {};
  const model = isObject(progress?.model) ? progress.model : {};
  const formItems = new Map<string, Json>();
  collectFormKeys(progress?.form, formItems, 0);

  const keys = [...formItems.keys()];
  for (const key of leafKeys(schema, '')) if (!formItems.has(key)) keys.push(key);

  return keys.map((key) => {
    const prop = schemaAt(schema, key) ?? {};
    const item = formItems.get(key) ?? {};
    const value = valueAt(model, key);
    const description = str(item.description) ?? str(prop.description);
    return {
      key,
      title: str(item.title) ?? str(prop.title) ?? key,
      type: typeOf(prop),
      default: value !== undefined ? value : prop.default,
      required: item.required === true || prop.required === true || requiredBy(schema, key),
      ...(Array.isArray(prop.enum) ? { enum: [...prop.enum] } : {}),
      ...(description !== undefined ? { description } : {}),
    };
  });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The keys an xd-schema-form layout names: `"key"`, `{ key }`, `{ key: ['a','b'] }`, nested `items`. */
function collectFormKeys(form: unknown, out: Map<string, Json>, depth: number): void {
  if (depth > 32) return;
  if (Array.isArray(form)) {
    for (const item of form) collectFormKeys(item, out, depth + 1);
    return;
  }
  if (typeof form === 'string') {
    if (form !== '*' && !out.has(form)) out.set(form, {});
    return;
  }
  if (!isObject(form)) return;
  const key = Array.isArray(form.key) ? form.key.filter((k) => typeof k === 'string').join('.') : form.key;
  if (typeof key === 'string' && key !== '' && !out.has(key)) out.set(key, form);
  if (form.items !== undefined) collectFormKeys(form.items, out, depth + 1);
  if (form.tabs !== undefined) collectFormKeys(form.tabs, out, depth + 1);
}

/** The schema's leaf properties, nested objects flattened to dotted keys. */
function leafKeys(schema: Json, prefix: string, depth = 0): string[] {
  if (!isObject(schema.properties) || depth > 16) return [];
  return Object.entries(schema.properties).flatMap(([name, prop]) => {
    const key = prefix + name;
    return isObject(prop) && isObject(prop.properties) ? leafKeys(prop, `${key}.`, depth + 1) : [key];
  });
}

function schemaAt(schema: Json, key: string): Json | undefined {
  const flat = isObject(schema.properties) ? schema.properties[key] : undefined;
  if (isObject(flat)) return flat;
  let node: unknown = schema;
  for (const part of key.split('.')) node = isObject(node) && isObject(node.properties) ? node.properties[part] : undefined;
  return isObject(node) ? node : undefined;
}

function valueAt(model: Json, key: string): unknown {
  if (key in model) return model[key];
  let node: unknown = model;
  for (const part of key.split('.')) node = isObject(node) ? node[part] : undefined;
  return node;
}

function requiredBy(schema: Json, key: string): boolean {
  const parts = key.split('.');
  let parent: unknown = schema;
  for (const part of parts.slice(0, -1)) parent = isObject(parent) && isObject(parent.properties) ? parent.properties[part] : undefined;
  const inParent = isObject(parent) && Array.isArray(parent.required) && parent.required.includes(parts[parts.length - 1]);
  return inParent || (Array.isArray(schema.required) && schema.required.includes(key));
}

function typeOf(prop: Json): string {
  const t = Array.isArray(prop.type) ? prop.type.find((x) => x !== 'null') : prop.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(prop.enum) && prop.enum.length) return typeof prop.enum[0] === 'number' ? 'number' : typeof prop.enum[0] === 'boolean' ? 'boolean' : 'string';
  return 'string';
}
