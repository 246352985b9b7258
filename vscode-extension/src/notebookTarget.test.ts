import type * as vscode from 'vscode';
import { commandNotebook } from './notebookTarget.js';

function uri(path: string): vscode.Uri {
  return { scheme: 'file', path, fsPath: path } as vscode.Uri;
}

describe('the notebook a command is about', () => {
  const wine = uri('/work/wine.ipynb');
  const other = uri('/work/other.ipynb');

  it('takes the Explorer file, and nothing else when that file is not a notebook', () => {
    expect(commandNotebook({ explorerFile: wine, activeEditor: other })).toBe(wine);
    expect(commandNotebook({ explorerFile: uri('/work/data.csv'), activeEditor: other })).toBeUndefined();
  });

  it('takes the editor the toolbar passed over the active one', () => {
    expect(commandNotebook({ toolbarEditor: wine, activeEditor: other })).toBe(wine);
  });

  it('takes the active notebook editor over the active tab', () => {
    expect(commandNotebook({ activeEditor: wine, activeTab: { uri: other, notebookType: 'jupyter-notebook' } })).toBe(
      wine,
    );
  });

  it('from the palette while the notebook still loads, takes the active tab (no notebook editor yet)', () => {
    expect(commandNotebook({ activeTab: { uri: wine, notebookType: 'jupyter-notebook' } })).toBe(wine);
  });

  it('takes no tab of another notebook type, and nothing without a notebook', () => {
    expect(commandNotebook({ activeTab: { uri: wine, notebookType: 'interactive' } })).toBeUndefined();
    expect(commandNotebook({})).toBeUndefined();
  });
});
