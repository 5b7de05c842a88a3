// A stand-in for vaid in tests: runs one service command through the real executor and exits,
// so a test can check what outlives vai's process.
// usage: node --import tsx run-command.ts NAME WORKDIR RESTART_CMD
import { createExecutor } from '../../../src/executor/index.js';
import { healthCheck, serviceTarget } from '../service-spec.js';

const [name = 'svc', workingDir = process.cwd(), restart_cmd = 'true'] = process.argv.slice(2);
const target = serviceTarget(name, { health_check: healthCheck({ type: 'tcp', port: 1 }), restart_cmd }, workingDir);
const ex = createExecutor({ logsDir: `${workingDir}/logs` });
const r = await ex.run(target, 'restart');
await ex.close();
process.stdout.write(`${JSON.stringify(r)}\n`);
