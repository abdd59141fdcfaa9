// [SW14] The server's refusal of one change this screen sent, in words, once its receipt says so.
import { useRejected } from '../../outbox/react';
import { refusalText } from './failures';

export function useRefusal(mutationId: string | null): string | null {
  const rejected = useRejected().find((entry) => entry.id === mutationId);
  return rejected === undefined ? null : refusalText(rejected.code, rejected.message);
}
