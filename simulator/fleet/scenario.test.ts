import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseScenario, ScenarioError } from './scenario.js';

/** The problems a scenario text is refused with (fails the test if it is accepted). */
function problemsOf(text: string): readonly string[] {
  try {
    parseScenario(text, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).problems;
  }
  throw new Error('the scenario was accepted');
}

const base = ['name: t', 'duration: 1d', 'gateways: { count: 10 }'];
const withLines = (...lines: string[]): string => [...base, ...lines].join('\n');

describe('parseScenario', () => {
  test('the CI scenario parses with its fleet, link, eSIM cards, timeline and expectations', () => {
    const s = parseScenario(readFileSync('scenarios/ci-month.yaml', 'utf8'), 'ci-month.yaml');
    expect(s.duration).toBe(30 * 86_400_000);
    expect(s.gateways).toMatchObject({ count: 250, esim: 10, spareSims: 20, startSpread: 120_000 });
    expect(s.link).toBe(true);
    expect(s.agent).toMatchObject({ 'liveness.intervalMs': 6 * 3_600_000, statusIntervalMs: 6 * 3_600_000 });
    expect(s.agent).not.toHaveProperty('link');
    expect(s.timeline.map((e) => e.do)).toContain('esim-enable');
    expect(s.timeline.find((e) => e.do === 'ready-transfer')?.target).toEqual({ kind: 'percent', percent: 50 });
    expect(s.expect).toMatchObject({ statusOnline: true, noDuplicateEvents: true, esimNotificationsDelivered: true, online: 'all' });
  });

  test('defaults: link on, no eSIM cards, no spares, virtual time', () => {
    const s = parseScenario(base.join('\n'));
    expect(s).toMatchObject({ link: true, mode: 'virtual', seed: 1, gateways: { esim: 0, spareSims: 0, dialects: { bg96: 1 } } });
  });

  test('gateways.esimProvisioning: the SGP.22 download by default, the shortcut only when asked', () => {
    expect(parseScenario(['duration: 1d', 'gateways: { count: 4, esim: 2 }'].join('\n')).gateways.esimProvisioning).toBe('download');
    expect(parseScenario(['duration: 1d', 'gateways: { count: 4, esim: 2, esimProvisioning: shortcut }'].join('\n')).gateways.esimProvisioning).toBe('shortcut');
    expect(problemsOf(['duration: 1d', 'gateways: { count: 4, esim: 2, esimProvisioning: magic }'].join('\n'))).toEqual([expect.stringMatching(/gateways\.esimProvisioning.*download or shortcut/)]);
  });

  test('gateways.esim takes a percentage of the fleet', () => {
    expect(parseScenario(['duration: 1d', 'gateways: { count: 40, esim: "25%" }'].join('\n')).gateways.esim).toBe(10);
  });

  test('agent.link: false turns the link off, and other agent settings still pass', () => {
    const s = parseScenario(withLines('agent: { link: false, liveness: { intervalMs: 1h } }'));
    expect(s.link).toBe(false);
    expect(s.agent).toEqual({ 'liveness.intervalMs': 3_600_000 });
  });

  test('invalid YAML is one clear problem', () => {
    expect(problemsOf('name: [unclosed')).toEqual([expect.stringMatching(/^not valid YAML/)]);
  });

  test('a scenario that is not a mapping', () => {
    expect(problemsOf('- 1\n- 2')[0]).toMatch(/must be a mapping/);
  });

  test('every problem is listed at once, each naming its key', () => {
    const problems = problemsOf(['duration: soon', 'mode: fast', 'colour: red', 'gateways: { count: 0, dialects: { nokia: 1 } }'].join('\n'));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^duration: is not a duration: "soon"/),
        'mode: must be virtual or real, not "fast"',
        expect.stringMatching(/^colour: unknown key/),
        'gateways.count: must be a positive integer',
        expect.stringMatching(/^gateways\.dialects\.nokia: unknown \(expected one of generic, bg95, bg96, sim7080\)/),
      ]),
    );
  });

  test('missing duration and gateways', () => {
    const problems = problemsOf('name: x');
    expect(problems).toContain('duration: is required (a duration such as 30d, 12h, 90s or milliseconds)');
    expect(problems).toContain('gateways: is required (a mapping with at least count)');
  });

  test('agent.link must be a boolean', () => {
    expect(problemsOf(withLines('agent: { link: "yes" }'))).toEqual(['agent.link: must be true (each agent runs its MQTT link to the platform) or false']);
  });

  test('gateways.esim: not a count, or more than the fleet', () => {
    expect(problemsOf(['duration: 1d', 'gateways: { count: 5, esim: many }'].join('\n'))).toEqual(['gateways.esim: must be a count or a percentage ("10%") of the gateways, not "many"']);
    expect(problemsOf(['duration: 1d', 'gateways: { count: 5, esim: 6 }'].join('\n'))).toEqual(['gateways.esim: 6 is more than the 5 gateways']);
    expect(problemsOf(['duration: 1d', 'gateways: { count: 5, spareSims: -1 }'].join('\n'))).toEqual(['gateways.spareSims: must be an integer ≥ 0']);
  });

  test('esim-enable without eSIM gateways, without the link, or by region', () => {
    const problems = problemsOf(withLines('agent: { link: false }', 'gateways: { count: 10, regions: { a: 1 } }', 'timeline:', '  - { at: 1h, do: esim-enable, target: { region: a } }').replace('gateways: { count: 10 }\n', ''));
    expect(problems).toEqual([
      'timeline[0].do: esim-enable needs gateways with an eUICC (gateways.esim: a count or a percentage)',
      'timeline[0].do: esim-enable sends enable-profile over the MQTT link: agent.link must not be false',
      'timeline[0].target: esim-enable targets the eSIM gateways: all, a percentage, a count or a group',
    ]);
  });

  test('ready-transfer takes a share, not a region or a group, and has no duration', () => {
    const text = [
      'duration: 1d',
      'gateways: { count: 10, regions: { a: 1 } }',
      'timeline:',
      '  - { at: 1h, do: suspend, target: 10%, as: s }',
      '  - { at: 2h, do: ready-transfer, target: { region: a } }',
      '  - { at: 3h, do: ready-transfer, target: { group: s } }',
      '  - { at: 4h, do: ready-transfer, target: 10%, for: 1h }',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      "timeline[1].target: ready-transfer takes a share of the fleet's Ready SIMs: all, a percentage or a count",
      "timeline[2].target: ready-transfer takes a share of the fleet's Ready SIMs: all, a percentage or a count",
      'timeline[3].for: ready-transfer has no duration',
    ]);
  });

  test('timeline errors: unknown event, event after the end, missing for, unknown group, bad cause, bad percent', () => {
    const problems = problemsOf(
      withLines(
        'timeline:',
        '  - { at: 1h, do: explode }',
        '  - { at: 2d, do: reboot }',
        '  - { at: 1h, do: coverage-loss }',
        '  - { at: 1h, do: activate, target: { group: nobody } }',
        '  - { at: 1h, do: registration-reject, cause: 300, for: 1h }',
        '  - { at: 1h, do: reboot, target: 150% }',
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^timeline\[0\]\.do: must be one of .*esim-enable.* \(got "explode"\)$/),
      'timeline[1].at: is after the end of the run (1d)',
      'timeline[2].for: coverage-loss needs how long it lasts (for: 2h)',
      'timeline[3].target.group: no earlier event names the group "nobody" (as: …)',
      'timeline[4].cause: must be an EMM cause 1..255',
      'timeline[5].target: percent must be between 0 and 100',
    ]);
  });

  test('expectations: types, unknown keys, and link expectations without a link or cards', () => {
    const problems = problemsOf(
      withLines('agent: { link: false }', 'expect: { online: 2, statusOnline: true, noDuplicateEvents: yes, esimNotificationsDelivered: true, speed: 1 }'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'expect.online: must be all or a fraction between 0 and 1',
        'expect.noDuplicateEvents: must be true or false',
        'expect.statusOnline: needs the MQTT link (agent.link is false)',
        'expect.esimNotificationsDelivered: needs the MQTT link (agent.link is false)',
        'expect.esimNotificationsDelivered: needs gateways with an eUICC (gateways.esim)',
        expect.stringMatching(/^expect\.speed: unknown key/),
      ]),
    );
  });

  test('the error message carries the source and one problem per line', () => {
    try {
      parseScenario('duration: x', 'bad.yaml');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/^invalid scenario bad\.yaml:\n {2}- duration: is not a duration/);
    }
  });
});
