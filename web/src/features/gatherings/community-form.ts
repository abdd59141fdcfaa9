// The community form's pure part (GW9 in ./SPEC.md): a name becomes a suggested address (slug), and
// the visibility / join policy pair is kept consistent (a private community takes members by approval).

/** [GW9] "Lagos Poets’ Café!" -> "lagos-poets-cafe": lower-case words joined by single hyphens. */
export function slugOf(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

export type Visibility = 'public' | 'private';
export type JoinPolicy = 'open' | 'approval';

/** [GW9] Choosing private forces approval; the form shows the policy it will send. */
export function policyFor(visibility: Visibility, policy: JoinPolicy): JoinPolicy {
  return visibility === 'private' ? 'approval' : policy;
}
