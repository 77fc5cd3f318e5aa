/**
 * The shipped systemd unit of the agent (`scripts/ops/cellgate-agent.service`), read by the
 * footprint bench and the process tests so both run `cellgate agent` with the node flags the unit
 * gives it, not with flags of their own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The unit file under a project root. */
export function agentUnitPath(projectRoot: string): string {
  return join(projectRoot, 'scripts', 'ops', 'cellgate-agent.service');
}

/** The node flags of a unit's `ExecStart` (`… node --flag … /opt/cellgate/bin/cellgate.js agent …`). */
export function unitNodeFlags(unitText: string): string[] {
  const line = /^ExecStart=(.*)$/m.exec(unitText)?.[1];
  if (!line) throw new Error('the agent unit has no ExecStart');
  const words = line.trim().split(/\s+/);
  const node = words.findIndex((w) => w === 'node' || w.endsWith('/node'));
  const script = words.findIndex((w) => w.endsWith('cellgate.js'));
  if (node < 0 || script < node) throw new Error(`cannot find node and cellgate.js in ExecStart: ${line}`);
  return words.slice(node + 1, script);
}

/** The node flags the shipped unit runs the agent with. */
export function agentUnitNodeFlags(projectRoot: string): string[] {
  return unitNodeFlags(readFileSync(agentUnitPath(projectRoot), 'utf8'));
}
