export * as disable from './disable.operation';
export * as enable from './enable.operation';
export * as forcePasswordReset from './forcePasswordReset.operation';
export * as getDevices from './getDevices.operation';
export * as markCompromised from './markCompromised.operation';
export * as requireSignInAgain from './requireSignInAgain.operation';
export * as revokeSessions from './revokeSessions.operation';
