// Tickets as a contract shared by server and browser: the signed code (./code), the seams the server
// fills for signing and payment (./services).
export * from './code';
export * from './services';
