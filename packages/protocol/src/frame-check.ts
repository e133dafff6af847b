import type * as v from "valibot";

/**
 * An allocation-free yes/no check compiled from a client frame's valibot schema for the hot path;
 * on "no" the codec runs valibot to word the problem. Compiling throws on what it does not know,
 * so the two cannot drift (README, "Performance"; `frame-check.test.ts` proves they agree).
 */
export interface FrameCheck<TFrame> {
  readonly fields: readonly FieldRule[];
  readonly requiredCount: number;
  /** Never set: carries the frame type for `matchesFrameCheck`'s type guard. */
  readonly frame?: TFrame;
}

/** The parts of a valibot schema or action this compiler reads (their public properties). */
interface SchemaNode {
  readonly kind: string;
  readonly type: string;
  readonly entries?: Readonly<Record<string, SchemaNode>>;
  readonly wrapped?: SchemaNode;
  readonly pipe?: readonly SchemaNode[];
  readonly literal?: unknown;
  readonly requirement?: unknown;
  readonly item?: SchemaNode;
}

interface FieldRule {
  readonly key: string;
  readonly isOptional: boolean;
  readonly kind: "string" | "number" | "boolean" | "literal" | "array";
  readonly literal: unknown;
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern: RegExp | null;
  readonly isSafeInteger: boolean;
  readonly minValue: number;
  /** The rule every element of an array must meet. */
  readonly item: FieldRule | null;
}

export function compileFrameCheck<const TSchema extends v.GenericSchema & SchemaNode>(
  schema: TSchema,
): FrameCheck<v.InferOutput<TSchema>> {
  if (schema.type !== "strict_object" || schema.entries === undefined || schema.pipe) {
    throw new Error(`compileFrameCheck: expected a strict_object schema, got ${schema.type}`);
  }
  const fields = Object.entries(schema.entries).map(([key, node]) => compileField(key, node));
  return { fields, requiredCount: fields.filter((field) => !field.isOptional).length };
}

// One plain function over data rather than a closure per frame type: the call site in the codec
// then sees a single target, which V8 can inline.
export function matchesFrameCheck<TFrame>(
  check: FrameCheck<TFrame>,
  input: Record<string, unknown>,
): input is Record<string, unknown> & TFrame {
  // One pass over the input's keys: any key but the schema's own (`__proto__` included) fails,
  // as in valibot's strict_object, and every required key must have been seen.
  let requiredSeen = 0;
  for (const key in input) {
    const field = findField(check.fields, key);
    if (field === undefined || !matchesField(field, input[key])) return false;
    if (!field.isOptional) requiredSeen++;
  }
  return requiredSeen === check.requiredCount;
}

// A linear scan beats a hash lookup for five keys: parsed keys are internalized strings, so
// each comparison is usually a pointer comparison.
function findField(fields: readonly FieldRule[], key: string): FieldRule | undefined {
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as FieldRule;
    if (field.key === key) return field;
  }
  return undefined;
}

function matchesField(field: FieldRule, value: unknown): boolean {
  switch (field.kind) {
    case "literal":
      return value === field.literal;
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return (
        typeof value === "string" &&
        value.length >= field.minLength &&
        value.length <= field.maxLength &&
        (field.pattern === null || field.pattern.test(value))
      );
    case "array":
      return Array.isArray(value) && value.length <= field.maxLength && matchesItems(field, value);
    case "number":
      return (
        typeof value === "number" &&
        !Number.isNaN(value) &&
        (!field.isSafeInteger || Number.isSafeInteger(value)) &&
        value >= field.minValue
      );
  }
}

function matchesItems(field: FieldRule, values: unknown[]): boolean {
  const item = field.item as FieldRule;
  for (let i = 0; i < values.length; i++) if (!matchesField(item, values[i])) return false;
  return true;
}

function compileField(key: string, node: SchemaNode): FieldRule {
  const isOptional = node.type === "optional";
  const inner = isOptional ? node.wrapped : node;
  if (inner === undefined) throw new Error(`compileFrameCheck: ${key}: optional without a schema`);
  if (
    inner.type !== "string" &&
    inner.type !== "number" &&
    inner.type !== "boolean" &&
    inner.type !== "literal" &&
    inner.type !== "array"
  ) {
    throw new Error(`compileFrameCheck: ${key}: unsupported schema ${inner.type}`);
  }
  let minLength = 0;
  let maxLength = Number.POSITIVE_INFINITY;
  let pattern: RegExp | null = null;
  let isSafeInteger = false;
  let minValue = Number.NEGATIVE_INFINITY;
  // pipe[0] is the schema itself; the rest are its actions.
  for (const action of inner.pipe?.slice(1) ?? []) {
    const { requirement } = action;
    const actionOn = `${inner.type} ${action.type}`;
    if (actionOn === "array max_length" && typeof requirement === "number") {
      maxLength = Math.min(maxLength, requirement);
    } else if (actionOn === "string min_length" && typeof requirement === "number") {
      minLength = Math.max(minLength, requirement);
    } else if (actionOn === "string max_length" && typeof requirement === "number") {
      maxLength = Math.min(maxLength, requirement);
    } else if (actionOn === "string uuid" && isStatelessRegExp(requirement) && pattern === null) {
      pattern = requirement;
    } else if (actionOn === "number safe_integer") {
      isSafeInteger = true;
    } else if (actionOn === "number min_value" && typeof requirement === "number") {
      minValue = Math.max(minValue, requirement);
    } else {
      throw new Error(`compileFrameCheck: ${key}: unsupported action ${actionOn}`);
    }
  }
  return {
    key,
    isOptional,
    kind: inner.type,
    literal: inner.literal,
    minLength,
    maxLength,
    pattern,
    isSafeInteger,
    minValue,
    item: inner.type === "array" ? compileItem(key, inner.item) : null,
  };
}

function compileItem(key: string, item: SchemaNode | undefined): FieldRule {
  if (item === undefined || item.type === "optional" || item.type === "array") {
    throw new Error(`compileFrameCheck: ${key}: unsupported array item`);
  }
  return compileField(`${key}[]`, item);
}

// A global or sticky RegExp keeps `lastIndex` between `test` calls and would answer wrongly.
function isStatelessRegExp(value: unknown): value is RegExp {
  return value instanceof RegExp && !value.global && !value.sticky;
}
