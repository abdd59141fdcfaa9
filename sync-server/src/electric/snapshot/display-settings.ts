// The session settings that fix how Postgres prints values (protocol doc §1 and §2.5). The snapshot
// sets them in its transaction and the replication connection at start-up, so a value prints the
// same through both paths (SPEC.md SN5): both use the type's output function under these settings.

export const DISPLAY_SETTINGS: readonly (readonly [name: string, value: string])[] = [
  ['bytea_output', 'hex'],
  ['DateStyle', 'ISO, DMY'],
  ['TimeZone', 'UTC'],
  ['extra_float_digits', '1'],
  ['IntervalStyle', 'iso_8601'],
];

/** `SET LOCAL` statements for a snapshot transaction. */
export function setLocalDisplaySettingsSql(): string {
  return DISPLAY_SETTINGS.map(([name, value]) => `set local ${name} = '${value}'`).join('; ');
}

/** The `options` start-up parameter (`-c name=value`, spaces escaped) for a replication connection. */
export function displaySettingsOptions(): string {
  return DISPLAY_SETTINGS.map(([name, value]) => `-c ${name}=${value.replaceAll(' ', '\\ ')}`).join(' ');
}
