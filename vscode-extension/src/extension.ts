import * as vscode from 'vscode';
import { registerCommands } from './commands.js';
import { Ctx } from './ctx.js';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): Ctx {
  ctx = new Ctx({ context });
  registerCommands(ctx);
  return ctx;
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
