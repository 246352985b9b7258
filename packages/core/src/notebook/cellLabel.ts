/**
 * How a person reads a cell's position: "cell 12" for index 11, as Jupyter and VS Code number cells (from 1).
 * Indexes stay 0-based in machine output (`cellIndex` fields); only text meant for people goes through here.
 */
export function cellLabel(index: number, id?: string): string {
  return id === undefined ? `cell ${index + 1}` : `cell ${index + 1} (id ${id})`;
}
