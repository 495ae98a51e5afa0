/**
 * The JUnit schema Jenkins validates reports against (jenkinsci/xunit-plugin, junit-10.xsd),
 * as a table of what each element may carry: its attributes (required ones marked) and its
 * child elements. No XSD validator runs in plain JavaScript without native code, and this
 * schema has no ordering or type rules beyond these (every value is xs:string, time a number).
 */
import { XMLParser } from 'fast-xml-parser';

interface ElementRule {
  attributes: Record<string, 'required' | 'optional'>;
  children: readonly string[];
  text?: boolean;
}

const opt = (...names: string[]) => Object.fromEntries(names.map((n) => [n, 'optional' as const]));
const req = (...names: string[]) => Object.fromEntries(names.map((n) => [n, 'required' as const]));
const mixed = { attributes: opt('type', 'message'), children: [], text: true };

export const JENKINS_JUNIT: Record<string, ElementRule> = {
  testsuites: { attributes: opt('name', 'time', 'tests', 'failures', 'errors'), children: ['testsuite'] },
  testsuite: {
    attributes: { ...req('name', 'tests', 'failures', 'errors'), ...opt('group', 'time', 'skipped', 'timestamp', 'hostname', 'id', 'package', 'file', 'log', 'url') },
    children: ['testsuite', 'properties', 'testcase', 'system-out', 'system-err'],
  },
  properties: { attributes: {}, children: ['property'] },
  property: { attributes: req('name', 'value'), children: [] },
  testcase: {
    attributes: { ...req('name'), ...opt('time', 'classname', 'group') },
    children: ['skipped', 'error', 'failure', 'rerunFailure', 'rerunError', 'flakyFailure', 'flakyError', 'system-out', 'system-err'],
  },
  failure: mixed,
  error: mixed,
  skipped: mixed,
  'system-out': { attributes: {}, children: [], text: true },
  'system-err': { attributes: {}, children: [], text: true },
};

/** SUREFIRE_TIME: digits, optional thousands commas, optional fraction. */
const TIME = /^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$/;

type XmlNode = Record<string, unknown>;

/** One element's own problems: where it sits, its attributes. */
function elementErrors(schema: Record<string, ElementRule>, name: string, parent: string | undefined, attrs: Record<string, string>, here: string): string[] {
  const rule = schema[name];
  if (!rule) return [`${here}: unknown element`];
  const errors: string[] = [];
  const allowedHere = parent === undefined ? name === 'testsuites' || name === 'testsuite' : schema[parent]?.children.includes(name);
  if (!allowedHere) errors.push(`${here}: not allowed in <${parent ?? 'document'}>`);
  for (const a of Object.keys(attrs)) if (!(a in rule.attributes)) errors.push(`${here}: attribute ${a} not allowed`);
  for (const [a, use] of Object.entries(rule.attributes)) if (use === 'required' && !(a in attrs)) errors.push(`${here}: attribute ${a} missing`);
  const time = attrs['time'];
  if ((name === 'testsuite' || name === 'testsuites') && time !== undefined && !TIME.test(time)) errors.push(`${here}: time ${time} is not a SUREFIRE_TIME`);
  return errors;
}

/** Every way the document breaks the schema (empty when valid). */
export function junitSchemaErrors(xml: string, schema: Record<string, ElementRule> = JENKINS_JUNIT): string[] {
  const doc = new XMLParser({ ignoreAttributes: false, preserveOrder: true, parseTagValue: false, parseAttributeValue: false, ignoreDeclaration: true }).parse(xml) as XmlNode[];
  const errors: string[] = [];
  const visit = (nodes: XmlNode[], parent: string | undefined, path: string) => {
    for (const node of nodes) {
      const name = Object.keys(node).find((k) => k !== ':@');
      if (name === '#text') {
        if (parent && !schema[parent]?.text && String(node['#text']).trim() !== '') errors.push(`${path}: text not allowed in <${parent}>`);
      } else if (name !== undefined) {
        const attrs = Object.fromEntries(Object.entries((node[':@'] as Record<string, string> | undefined) ?? {}).map(([k, v]) => [k.replace(/^@_/, ''), v]));
        errors.push(...elementErrors(schema, name, parent, attrs, `${path}/${name}`));
        visit(node[name] as XmlNode[], name, `${path}/${name}`);
      }
    }
  };
  visit(doc, undefined, '');
  return errors;
}
