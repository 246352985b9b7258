import { createInterface } from 'node:readline';
import { EngineServer, LocalBackend } from '@cellpipe/core/node';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

const usage = `Usage: cellpipe serve --stdio

A long-lived engine for editor hosts (the Jupyter server extension): reads one JSON request per
line on stdin and writes one JSON message per line on stdout.

Requests:  {"id":1,"method":"run","params":{"notebookPath":"nb.ipynb","parameters":{},"jobs":2,"cache":true,"warm":true}}
           {"id":2,"method":"cancel","params":{"runId":"..."}}
           {"id":3,"method":"runs","params":{"notebookPath":"nb.ipynb"}}
           {"id":4,"method":"analyze","params":{"notebookPath":"nb.ipynb"}}
           {"id":5,"method":"compile","params":{"notebookPath":"nb.ipynb","target":"argo"}}
Messages:  {"id":1,"result":{...}}  or  {"id":1,"error":{"message":"...","kind":"input"}}
           {"event":{...RunEvent...}}

Ends when stdin closes, after cancelling the runs still going. See '## Engine protocol' in the core README.

Options:
  --stdio     Speak the protocol on stdin/stdout (required)
  -h, --help  Show this help
`;

export const serveCommand: Command = {
  name: 'serve',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('serve', args, {
      stdio: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`cellpipe serve: unexpected argument '${positionals[0]}'`);
    if (!values.stdio) throw new UsageError('cellpipe serve: --stdio is required (the only transport)');

    // One engine for the editor's session: its warm pools live from one run to the next.
    const backend = new LocalBackend({ keepWarm: true });
    const server = new EngineServer({
      backend,
      send: (message) => io.stdout.write(JSON.stringify(message) + '\n'),
    });
    const lines = createInterface({ input: io.stdin ?? process.stdin, crlfDelay: Infinity });
    const pending = new Set<Promise<void>>();
    const stop = (): void => lines.close();
    io.signal.addEventListener('abort', stop, { once: true });
    for await (const line of lines) {
      if (line.trim().length === 0) continue;
      const handled = server.handleLine(line);
      pending.add(handled);
      void handled.finally(() => pending.delete(handled));
    }
    io.signal.removeEventListener('abort', stop);
    await Promise.all([...pending]);
    await server.close();
    backend.close();
    return 0;
  },
};
