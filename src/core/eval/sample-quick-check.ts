/**
 * A quick yes for the samples most sets are made of: a string input and assertions that compare strings.
 * Checking a sample through `sampleSchema` costs little once zod has compiled its checks, but compiling them
 * in every process cost ~15 ms before an eval's first request (its start-up is on the latency-bound path).
 *
 * It only ever says yes for a sample the schema accepts unchanged (the test "never accepts what the schema
 * refuses" tries every assertion type and field with wrong values); anything else, including any field or
 * type it does not know, is a no, and the schema decides and explains.
 */

type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isNonEmptyString: Check = (v) => typeof v === 'string' && v.length > 0;
const isStrings =
  (min: number): Check =>
  (v) =>
    Array.isArray(v) && v.length >= min && v.every(isString);
const isFiniteNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);

/** The fields every assertion may have (`common` in dataset.ts). */
const COMMON: Record<string, Check> = {
  not: (v) => typeof v === 'boolean',
  weight: (v) => isFiniteNumber(v) && (v as number) > 0,
  threshold: (v) => isFiniteNumber(v) && (v as number) >= 0 && (v as number) <= 1,
};

/** The assertion types it knows, each with its required fields; every other type is left to the schema. */
const REQUIRED: Record<string, Record<string, Check>> = {
  equals: { value: isString },
  contains: { value: isString },
  icontains: { value: isString },
  'not-contains': { value: isString },
  'starts-with': { value: isString },
  'contains-any': { values: isStrings(1) },
  'contains-all': { values: isStrings(1) },
  'is-json': {},
};

const isTags = isStrings(0);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function quickAssertion(assertion: unknown): boolean {
  if (!isRecord(assertion) || typeof assertion.type !== 'string' || !Object.hasOwn(REQUIRED, assertion.type)) return false;
  const required = REQUIRED[assertion.type] as Record<string, Check>;
  let found = 0;
  for (const key of Object.keys(assertion)) {
    if (key === 'type') continue;
    const isRequired = Object.hasOwn(required, key);
    const check = isRequired ? required[key] : Object.hasOwn(COMMON, key) ? COMMON[key] : undefined;
    if (!check?.(assertion[key])) return false;
    if (isRequired) found++;
  }
  return found === Object.keys(required).length;
}

/** True only for a sample `sampleSchema` accepts as it is; false means: ask the schema. */
export function quickSampleCheck(sample: unknown): boolean {
  if (!isRecord(sample)) return false;
  let required = 0;
  for (const key of Object.keys(sample)) {
    const value = sample[key];
    switch (key) {
      case 'id':
      case 'input':
        if (!isNonEmptyString(value)) return false;
        required++;
        break;
      case 'assert':
        if (!Array.isArray(value) || value.length === 0 || !value.every(quickAssertion)) return false;
        required++;
        break;
      case 'expected':
        if (!isString(value)) return false;
        break;
      case 'tags':
        if (!isTags(value)) return false;
        break;
      default:
        return false;
    }
  }
  return required === 3;
}
