// @hearth/schema: the contract shared by the server and the client. No IO.
export * from './table';
export * from './catalogue';
export * from './local-schema';
export * from './ids';
export * from './errors';
export * from './migrations';
export * from './tables/accounts';
export * from './tables/communities';
export * from './tables/gatherings';
export * from './tables/stories';
export * from './tables/conversation';
export * from './tables/trust';
