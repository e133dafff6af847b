import * as v from "valibot";
import { AppError } from "../app-error.ts";

/** Validates a parsed body or params; the first issue becomes a 400 prefixed with the field's path. */
export function parseBody<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  input: unknown,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  throw new AppError("invalid_request", path ? `${path}: ${issue.message}` : issue.message);
}
