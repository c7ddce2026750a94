/** GS1 identifiers of trade items (GTIN-8, -12, -13, -14), as FHIR names the system. */
export const gtinSystem = 'https://www.gs1.org/gtin';

/**
 * The GS1 prefix set aside for demonstrations and examples of the GS1 system: no real company holds
 * a number under it, so the demo catalogue's GTINs can never collide with a product on a shelf.
 */
export const demoGs1Prefix = '952';

/** The GS1 mod-10 check digit of the digits before it (weights 3,1,3,… from the right). */
export function gs1CheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new Error(`not digits: ${body}`);
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10;
}

/** Why a GTIN is not valid, or undefined when it is. */
export function gtinProblem(value: string): string | undefined {
  if (!/^\d+$/.test(value)) return 'a GTIN has digits only';
  if (![8, 12, 13, 14].includes(value.length)) return `a GTIN has 8, 12, 13 or 14 digits, not ${value.length}`;
  const expected = gs1CheckDigit(value.slice(0, -1));
  if (Number(value.at(-1)) !== expected) return `the check digit should be ${expected}`;
  return undefined;
}

/** A GTIN-14 (the form FHIR exchanges) under the demo prefix: 0 + 952 + company + item reference + check digit. */
export function demoGtin(company: number, item: number): string {
  const body = `${demoGs1Prefix}${String(company).padStart(4, '0')}${String(item).padStart(5, '0')}`;
  return `0${body}${gs1CheckDigit(body)}`;
}
