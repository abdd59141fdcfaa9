// React bindings of ./session for screens: the Auth from context and its state.
import { createContext, createElement, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { Auth, AuthState } from './session';

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ auth, children }: { auth: Auth; children?: ReactNode }) {
  return createElement(AuthContext.Provider, { value: auth }, children);
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === null) throw new Error('useAuth() needs an <AuthProvider auth={…}> above it (see main.tsx).');
  return auth;
}

export function useAuthState(): AuthState {
  const auth = useAuth();
  return useSyncExternalStore(auth.subscribe, auth.getState);
}
