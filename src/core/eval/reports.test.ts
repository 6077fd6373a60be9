import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GateOutcome } from './evaluate.js';
import { junitReports, markdownReports } from './reports.js';
import type { SampleResult } from './results.js';
import { summarize } from './results.js';
import type { EvalReport } from './runner.js';

const dir = mkdtempSync(join(tmpdir(), 'agentctl-reports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A minimal JUnit schema (the shape Jenkins, GitLab and junitparser read): one root, suites, cases. */
const XSD = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:element name="testsuites">
    <xs:complexType>
      <xs:sequence><xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
      <xs:attribute name="name" type="xs:string"/>
      <xs:attributeGroup ref="counts"/>
    </xs:complexType>
  </xs:element>
  <xs:attributeGroup name="counts">
    <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
    <xs:attribute name="failures" type="xs:nonNegativeInteger" use="required"/>
    <xs:attribute name="errors" type="xs:nonNegativeInteger" use="required"/>
    <xs:attribute name="skipped" type="xs:nonNegativeInteger" use="required"/>
    <xs:attribute name="time" type="xs:decimal" use="required"/>
  </xs:attributeGroup>
  <xs:element name="testsuite">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="properties" minOccurs="0">
          <xs:complexType><xs:sequence><xs:element name="property" minOccurs="0" maxOccurs="unbounded">
            <xs:complexType><xs:attribute name="name" use="required"/><xs:attribute name="value" use="required"/></xs:complexType>
          </xs:element></xs:sequence></xs:complexType>
        </xs:element>
        <xs:element name="testcase" minOccurs="0" maxOccurs="unbounded">
          <xs:complexType>
            <xs:sequence>
              <xs:choice minOccurs="0">
                <xs:element name="failure"><xs:complexType mixed="true"><xs:attribute name="message"/></xs:complexType></xs:element>
                <xs:element name="error"><xs:complexType mixed="true"><xs:attribute name="message"/></xs:complexType></xs:element>
                <xs:element name="skipped"><xs:complexType mixed="true"><xs:attribute name="message"/></xs:complexType></xs:element>
              </xs:choice>
              <xs:element name="system-out" type="xs:string" minOccurs="0"/>
            </xs:sequence>
            <xs:attribute name="classname" use="required"/>
            <xs:attribute name="name" use="required"/>
            <xs:attribute name="time" type="xs:decimal"/>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
      <xs:attribute name="name" use="required"/>
      <xs:attribute name="timestamp" type="xs:dateTime"/>
      <xs:attributeGroup ref="counts"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
`;

function result(sampleId: string, status: SampleResult['status'], latencyMs: number): SampleResult {
  return {
    sampleId,
    iteration: 1,
    runId: `RUN${sampleId.toUpperCase()}`,
    status,
    score: status === 'pass' ? 1 : 0,
    assertions: status === 'fail' ? [{ type: 'contains', pass: false, score: 0, weight: 1, reason: 'output lacks "closed" <&>' }] : [],
    output: 'an answer with <markup> & "quotes"',
    error: status === 'error' ? 'cassette miss: no recorded response\u0001' : null,
    latencyMs,
    tokens: 10,
    costUsd: 0.001,
    tags: [],
  };
}

function report(agent: string, results: SampleResult[]): EvalReport {
  return {
    evalId: `E-${agent}`,
    agent,
    version: '0.1.0',
    digest: 'sha256:abc',
    source: 'workspace',
    dataset: 'evals/samples.yaml',
    datasetDigest: 'sha256:def',
    provider: 'cassette',
    repeat: 1,
    status: 'complete',
    startedAt: Date.UTC(2026, 0, 1),
    finishedAt: Date.UTC(2026, 0, 1, 0, 1),
    results: (filter) => results.filter((r) => !filter?.notPassing || r.status !== 'pass'),
    summary: summarize(results),
    comparison: null,
  };
}

const reports = [
  report('triage', [result('a', 'pass', 1.4), result('b', 'fail', 250.6), result('c', 'error', 3)]),
  report('planner', [result('d', 'pass', 1000), result('e', 'error', 0.2)]),
];
const gate: GateOutcome = { minPassRate: 0.9, noRegressions: true, passed: false, reasons: ['pass rate below 90%'] };

const attrs = (text: string, tag: string, name: string) => [...text.matchAll(new RegExp(`<${tag} [^>]*\\b${name}="([^"]+)"`, 'g'))].map((m) => Number(m[1]));

describe('junitReports', () => {
  const xml = junitReports(reports);

  it('is one well-formed document that a JUnit schema accepts', () => {
    expect(xml.match(/<\?xml /g)).toHaveLength(1);
    expect(xml.match(/<testsuites /g)).toHaveLength(1);
    const file = join(dir, 'report.xml');
    writeFileSync(file, xml);
    writeFileSync(join(dir, 'junit.xsd'), XSD);
    const lint = spawnSync('xmllint', ['--noout', '--schema', join(dir, 'junit.xsd'), file], { encoding: 'utf8' });
    expect(lint.stderr).toContain('validates');
    expect(lint.status).toBe(0);
  });

  it('has one suite per agent, and top-level counts and time that are the sums of the suites', () => {
    expect(attrs(xml, 'testsuite', 'tests')).toEqual([3, 2]);
    for (const [name, expected] of [
      ['tests', 5],
      ['failures', 1],
      ['errors', 2],
      ['skipped', 0],
    ] as const) {
      expect(attrs(xml, 'testsuites', name), name).toEqual([expected]);
      expect(
        attrs(xml, 'testsuite', name).reduce((a, b) => a + b, 0),
        name,
      ).toBe(expected);
    }
    const suiteTimes = attrs(xml, 'testsuite', 'time');
    const caseTimes = attrs(xml, 'testcase', 'time');
    expect(suiteTimes).toEqual([0.255, 1]);
    expect(attrs(xml, 'testsuites', 'time')).toEqual([1.255]);
    expect(caseTimes.reduce((a, b) => a + b, 0)).toBeCloseTo(1.255, 6);
  });

  it('makes errors <error> and failed assertions <failure>', () => {
    expect(xml.match(/<error /g)).toHaveLength(2);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toMatch(/name="b"[^>]*><failure message="contains: output lacks &quot;closed&quot; &lt;&amp;&gt;"/);
    expect(xml).toMatch(/name="c"[^>]*><error message="cassette miss: no recorded response"/);
  });
});

describe('markdownReports', () => {
  it('is one document with an overview and a section per agent', () => {
    const md = markdownReports(reports.map((r) => ({ report: r, gate })));
    expect(md.match(/^# /gm)).toHaveLength(1);
    expect(md).toContain('# Eval: 2 agents');
    expect(md).toMatch(/^## Eval: triage@0\.1\.0$/m);
    expect(md).toMatch(/^## Eval: planner@0\.1\.0$/m);
    expect(md).toMatch(/^### Failures and errors$/m);
    expect(md).toMatch(/^\| triage@0\.1\.0 \| failed \| 3 \| 1 \| 1 \| 1 \| 33\.3% \|$/m);
    expect(md).not.toMatch(/\n{3}/);
  });

  it('is the single report, unchanged, for one agent', () => {
    const md = markdownReports([{ report: reports[0] as EvalReport, gate }]);
    expect(md.startsWith('# Eval: triage@0.1.0')).toBe(true);
    expect(md).toMatch(/^## Failures and errors$/m);
  });
});
