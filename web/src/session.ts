// The signed-in user as Preact context, for every page behind sign-in.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { User } from './api';

export interface Session {
  user: User;
  /** Replaces the signed-in user after an update (name, locale, password). */
  setUser: (user: User) => void;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
