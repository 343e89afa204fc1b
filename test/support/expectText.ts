/**
 * Asserts that `text` (or a list) contains every one of `parts`; a failure names exactly the
 * parts that are missing, so one assertion stands for a whole paragraph of expectations.
 */
export function expectToContainAll(text: string | readonly string[], parts: readonly string[]): void {
  expect(parts.filter((p) => !text.includes(p))).toEqual([]);
}
