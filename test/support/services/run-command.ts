// A stand-in for vaid in tests: runs one service command through the real executor and exits,
// so a test can check what outlives vai's process.
// usage: node --import tsx run-command.ts NAME WORKDIR RESTART_CMD
import { createExecutor } from '../../../src/executor/index.js';
import type { ServiceTarget } from '../../../src/executor/types.js';

const [name = 'svc', workingDir = process.cwd(), restart_cmd = 'true'] = process.argv.slice(2);
const target: ServiceTarget = {
  name,
  workingDir,
  defaultLogPath: `${workingDir}/logs/${name}.log`,
  spec: {
    enabled: true,
    type: 'daemon',
    restart_container: false,
    command_timeout_seconds: 60,
    startup_delay_seconds: 5,
    dependencies: [],
    max_failures: 3,
    failure_window_seconds: 300,
    backoff_initial_seconds: 10,
    backoff_max_seconds: 300,
    backoff_reset_seconds: 600,
    health_check: { type: 'tcp', port: 1, interval_seconds: 60, timeout_seconds: 5, failure_threshold: 1, success_threshold: 1 },
    restart_cmd,
  },
};
const ex = createExecutor({ logsDir: `${workingDir}/logs` });
const r = await ex.run(target, 'restart');
await ex.close();
process.stdout.write(`${JSON.stringify(r)}\n`);
