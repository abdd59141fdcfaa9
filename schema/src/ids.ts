// Ids are UUID v7, made by whoever creates the row (usually the client): time-ordered, so indexes
// stay compact and an outbox sorts by creation.
import { v7, validate, version } from 'uuid';

export function newId(): string {
  return v7();
}

export function isUuidV7(value: string): boolean {
  return validate(value) && version(value) === 7;
}
