// A small validator for the JSON Schema subset that pydantic emits for the wire models
// (type, properties, required, additionalProperties, items, enum, const, anyOf, $ref into $defs,
// string/array bounds, pattern, numeric bounds). The companion validates again with the real models:
// this is the extension's own guard, so that nothing malformed is relayed or trusted.

const TYPE_CHECKS = {
  string: (v) => typeof v === "string",
  integer: (v) => Number.isInteger(v),
  number: (v) => typeof v === "number" && Number.isFinite(v),
  boolean: (v) => typeof v === "boolean",
  null: (v) => v === null,
  array: (v) => Array.isArray(v),
  object: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
};

const MAX_ERRORS = 20;

function resolve(schema, root) {
  if (schema && typeof schema.$ref === "string") {
    const name = schema.$ref.replace(/^#\/\$defs\//, "");
    const target = root.$defs && root.$defs[name];
    if (!target) throw new Error(`schema reference not found: ${schema.$ref}`);
    return target;
  }
  return schema;
}

function check(schema, value, path, root, errors) {
  if (errors.length >= MAX_ERRORS) return;
  const s = resolve(schema, root);
  if (s.anyOf) {
    const fits = s.anyOf.some((alt) => {
      const sub = [];
      check(alt, value, path, root, sub);
      return sub.length === 0;
    });
    if (!fits) errors.push(`${path}: does not match any allowed shape`);
    return;
  }
  if ("const" in s && value !== s.const) {
    errors.push(`${path}: must be ${JSON.stringify(s.const)}`);
    return;
  }
  if (s.enum && !s.enum.includes(value)) {
    errors.push(`${path}: must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    return;
  }
  if (s.type) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => TYPE_CHECKS[t] && TYPE_CHECKS[t](value))) {
      errors.push(`${path}: must be ${types.join(" or ")}`);
      return;
    }
  }
  if (typeof value === "string") {
    if (s.minLength !== undefined && value.length < s.minLength) errors.push(`${path}: too short`);
    if (s.maxLength !== undefined && value.length > s.maxLength) errors.push(`${path}: too long`);
    if (s.pattern !== undefined && !new RegExp(s.pattern, "u").test(value)) errors.push(`${path}: bad format`);
  }
  if (typeof value === "number") {
    if (s.minimum !== undefined && value < s.minimum) errors.push(`${path}: below ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) errors.push(`${path}: above ${s.maximum}`);
  }
  if (Array.isArray(value)) {
    if (s.maxItems !== undefined && value.length > s.maxItems) errors.push(`${path}: too many items`);
    if (s.minItems !== undefined && value.length < s.minItems) errors.push(`${path}: too few items`);
    if (s.items) value.forEach((item, i) => check(s.items, item, `${path}[${i}]`, root, errors));
  }
  if (TYPE_CHECKS.object(value) && (s.properties || s.additionalProperties !== undefined)) {
    const props = s.properties || {};
    for (const key of s.required || []) {
      if (!(key in value)) errors.push(`${path}.${key}: missing`);
    }
    for (const [key, item] of Object.entries(value)) {
      if (key in props) check(props[key], item, `${path}.${key}`, root, errors);
      else if (s.additionalProperties === false) errors.push(`${path}.${key}: not allowed`);
      else if (typeof s.additionalProperties === "object") {
        check(s.additionalProperties, item, `${path}.${key}`, root, errors);
      }
    }
  }
}

/** Errors as "path: message" strings; an empty list means the value fits the schema. */
export function validate(schema, value) {
  const errors = [];
  check(schema, value, "$", schema, errors);
  return errors;
}
