import { down, status, up } from './stack';

/** `npm run stack -- up|down|status [--profile dev] [--infra-only]` */
export async function main(argv: string[]): Promise<number> {
  const [cmd = 'status', ...rest] = argv;
  const prof = valueOf(rest, '--profile') ?? 'dev';
  switch (cmd) {
    case 'up': {
      const env = await up({ profile: prof, services: !rest.includes('--infra-only') });
      for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}=${v}\n`);
      return 0;
    }
    case 'down': {
      const stopped = await down(prof);
      process.stderr.write(stopped.length ? `stopped ${stopped.join(', ')}\n` : 'nothing was running\n');
      return 0;
    }
    case 'status': {
      for (const [k, v] of Object.entries(status(prof))) process.stdout.write(`${k.padEnd(10)} ${v}\n`);
      return 0;
    }
    default:
      process.stderr.write(
        `usage: npm run stack -- up|down|status [--profile dev|test|bench] [--infra-only]\n`,
      );
      return 2;
  }
}

function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`${flag}=`))?.split('=')[1];
}
