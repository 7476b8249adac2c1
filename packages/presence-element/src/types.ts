/** One person in the channel, as the panel shows them. `updatedAt` is epoch milliseconds. */
export interface Member {
  id: string;
  name: string;
  status: string;
  updatedAt: number;
  avatar?: string;
}

/** What GET /config returns. */
export interface ServerConfig {
  key?: string;
  cluster?: string;
  wsHost?: string;
  wsPort?: number;
  wssPort?: number;
  wsPath?: string;
  forceTLS?: boolean;
  enabledTransports?: string[];
  channel?: string;
  mode?: 'guest' | 'identify';
  limits?: { name?: number; status?: number };
}

export type PanelState = 'loading' | 'signed-out' | 'identify-required' | 'signed-in' | 'error';
