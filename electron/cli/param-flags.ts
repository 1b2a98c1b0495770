import { PARAM_TYPES, ParamDecl, type ParamValues } from '../../shared/api/params';
import { CliError } from './cli-error';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(name: string, flag: string): string {
  if (!NAME.test(name)) {
    throw new CliError(
      `${flag}: "${name}" is not a parameter name (letters, digits or _, not starting with a digit; write it without the $).`,
      2,
    );
  }
  return name;
}

/**
 * `queries save --param` values: `name:type` (text, integer, number, date, timestamp), `name:choice=SQL` for a choice
 * list whose first column are the values, or a bare `name` for text.
 */
export function parseParamDecls(specs: readonly string[]): ParamDecl[] {
  const seen = new Set<string>();
  return specs.map((spec) => {
    const colon = spec.indexOf(':');
    const name = checkName((colon < 0 ? spec : spec.slice(0, colon)).replace(/^\$/, ''), '--param');
    if (seen.has(name)) throw new CliError(`--param: $${name} is declared twice.`, 2);
    seen.add(name);
    const rest = colon < 0 ? 'text' : spec.slice(colon + 1);
    const eq = rest.indexOf('=');
    const type = (eq < 0 ? rest : rest.slice(0, eq)).trim();
    const decl = type === 'choice' ? { name, type, choicesSql: eq < 0 ? '' : rest.slice(eq + 1) } : { name, type };
    if (!(PARAM_TYPES as readonly string[]).includes(type)) {
      throw new CliError(`--param ${spec}: the type must be one of ${PARAM_TYPES.join(', ')} (a choice list as name:choice=SQL).`, 2);
    }
    if (eq >= 0 && type !== 'choice') throw new CliError(`--param ${spec}: only a choice list takes =SQL (name:choice=SQL).`, 2);
    const parsed = ParamDecl.safeParse(decl);
    if (!parsed.success) throw new CliError(`--param ${spec}: the type ${parsed.error.issues[0]?.message ?? 'is invalid'}.`, 2);
    return parsed.data;
  });
}

/** `query --saved --param` values: `name=value`, the value taken as it is (the saved query's types check it). */
export function parseParamValues(specs: readonly string[]): ParamValues {
  const values: ParamValues = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq < 0) throw new CliError(`--param ${spec}: write it as name=value.`, 2);
    const name = checkName(spec.slice(0, eq).replace(/^\$/, ''), '--param');
    if (Object.hasOwn(values, name)) throw new CliError(`--param: $${name} is given twice.`, 2);
    values[name] = spec.slice(eq + 1);
  }
  return values;
}
