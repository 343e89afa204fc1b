/** The community with this id in the config in force, or undefined (removed from the config, or none). */
export function communityById<C extends { id: string }>(communities: readonly C[], id: string | null | undefined): C | undefined {
  return id === undefined || id === null ? undefined : communities.find((c) => c.id === id);
}
