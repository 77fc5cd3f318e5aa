/** Dependency rules of docs/architecture.md, enforced in `npm run check`. */
module.exports = {
  forbidden: [
    {
      name: 'agent-not-simulator',
      comment: 'The agent runs on a gateway next to real hardware; it must never depend on the simulator.',
      severity: 'error',
      from: { path: '^agent/' },
      to: { path: '^simulator/' },
    },
    {
      name: 'simulator-not-agent',
      comment: 'The simulator must stay usable by any AT client; tests wire it to the agent.',
      severity: 'error',
      from: { path: '^simulator/' },
      to: { path: '^agent/' },
    },
    {
      name: 'only-platform-contract',
      comment: 'agent/ and simulator/ may import only platform/contract from the platform.',
      severity: 'error',
      from: { path: '^(agent|simulator)/' },
      to: { path: '^platform/', pathNot: '^platform/contract/' },
    },
    {
      name: 'contract-is-a-leaf',
      comment: 'The contract holds topics, schemas and interfaces; it depends on nothing else of the platform.',
      severity: 'error',
      from: { path: '^platform/contract/' },
      to: { path: '^(platform/(?!contract/)|agent/|simulator/)' },
    },
    {
      name: 'domain-is-pure',
      comment: 'platform/domain is pure rules: no storage, HTTP, broker, app layer, or I/O modules.',
      severity: 'error',
      from: { path: '^platform/domain/' },
      to: { path: '^(platform/(app|store|http|broker)/|node:(fs|net|http|child_process)|better-sqlite3|fastify|mqtt|aedes)' },
    },
    {
      name: 'common-is-a-leaf',
      comment: 'common/ (clock, logger) is shared by all parts and imports none of them.',
      severity: 'error',
      from: { path: '^common/' },
      to: { path: '^(agent|simulator|platform|cli)/' },
    },
    {
      name: 'console-is-an-api-client',
      comment: 'The web console runs in a browser and knows the platform only through its HTTP API.',
      severity: 'error',
      from: { path: '^platform/console/' },
      to: { path: '^(agent|simulator|common|cli|platform/(?!console/))' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.test\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
