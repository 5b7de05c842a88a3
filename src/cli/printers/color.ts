// Colour only when a person is looking: stdout is a terminal and NO_COLOR (no-color.org) is
// unset or empty. Pipes, files and tests get plain text.

export type Paint = (text: string, colour: Colour | undefined) => string;
export type Colour = 'green' | 'yellow' | 'red' | 'grey' | 'magenta' | 'bold';

const CODES: Record<Colour, [number, number]> = {
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  grey: [90, 39],
  magenta: [35, 39],
  bold: [1, 22],
};

export function useColour(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTTY && !env.NO_COLOR;
}

/** The painter without colour; renderers skip working out colours when given it. */
export const noPaint: Paint = (text) => text;

export function painter(enabled: boolean): Paint {
  if (!enabled) return noPaint;
  return (text, colour) => {
    if (!colour || text === '') return text;
    const [on, off] = CODES[colour];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  };
}

export function phaseColour(phase: string): Colour | undefined {
  switch (phase) {
    case 'Healthy':
      return 'green';
    case 'Recovering':
    case 'WaitingForDependency':
      return 'yellow';
    case 'Degraded':
    case 'CrashLoopBackOff':
      return 'red';
    case 'Stopped':
    case 'Disabled':
      return 'grey';
    case 'Unknown':
      return 'magenta';
    default:
      return undefined;
  }
}

export function healthColour(health: string): Colour | undefined {
  return health === 'healthy' ? 'green' : health === 'unhealthy' ? 'red' : health === 'unknown' ? 'magenta' : undefined;
}
