import type { IDataObject } from 'n8n-workflow';

import {
	matchingIdentities,
	parseAccountInput,
	providerAccountsOf,
	routeFor,
} from '../../dist/nodes/MicrosoftDefender/helpers/identityResponse';

describe('identity response helpers', () => {
	it('reads what the user typed as an identity account ID, a SID, a UPN or DOMAIN\\name', () => {
		expect(parseAccountInput(' 00104216-0539-4838-88b1-55baafdc296b ')).toMatchObject({
			kind: 'id',
		});
		expect(parseAccountInput('s-1-5-21-1-2-3-500')).toMatchObject({
			kind: 'sid',
			name: 'S-1-5-21-1-2-3-500',
		});
		expect(parseAccountInput('jdoe@contoso.com')).toEqual({
			raw: 'jdoe@contoso.com',
			kind: 'upn',
			name: 'jdoe',
			domain: 'contoso.com',
		});
		expect(parseAccountInput('CONTOSO\\jdoe')).toMatchObject({
			kind: 'name',
			name: 'jdoe',
			domain: 'CONTOSO',
		});
		expect(parseAccountInput('jdoe')).toEqual({ raw: 'jdoe', kind: 'name', name: 'jdoe' });
		for (const bad of ['', 'a b', '@contoso.com', 'jdoe@', 'a\\b\\c', 'CONTOSO\\', 'x/y'])
			expect(parseAccountInput(bad)).toBeUndefined();
	});

	it('accepts both spellings of the provider key and value', () => {
		expect(
			providerAccountsOf({
				accounts: [
					{ provider: 'ActiveDirectory', identifier: 'a', actions: [] },
					{ identityProvider: 'entraID', identifier: 'b' },
					{ provider: 'SomethingNew', identifier: 'c', actions: ['disable'] },
				],
			}),
		).toEqual([
			{ provider: 'activeDirectory', identifier: 'a', actions: [] },
			{ provider: 'entraID', identifier: 'b', actions: [] },
			{ provider: 'SomethingNew', identifier: 'c', actions: ['disable'] },
		]);
	});

	it('matches a name; DOMAIN\\name must match the domain (DNS name or its first label)', () => {
		const records: IDataObject[] = [
			{ id: '1', displayName: 'jdoe', domain: 'contoso.local' },
			{ id: '2', displayName: 'JDoe', domain: 'fabrikam.local' },
			{ id: '3', displayName: 'amy', domain: 'contoso.local' },
		];
		const ids = (value: string) =>
			matchingIdentities(records, parseAccountInput(value)!).map((record) => record.id);
		expect(ids('jdoe')).toEqual(['1', '2']);
		expect(ids('FABRIKAM\\jdoe')).toEqual(['2']);
		expect(ids('CONTOSO\\amy')).toEqual(['3']);
		expect(ids('FABRIKAM\\amy')).toEqual([]);
	});

	it('routes each action to the providers Microsoft documents, Entra ID through /users where it can, and an account’s own list first', () => {
		const account = (provider: string, actions: string[] = []) => ({
			provider,
			identifier: 'x',
			actions,
		});
		expect(routeFor('disable', account('activeDirectory'))).toBe('invokeAction');
		expect(routeFor('disable', account('okta'))).toBe('invokeAction');
		expect(routeFor('disable', account('entraID'))).toBe('entra');
		expect(routeFor('forcePasswordReset', account('okta'))).toBeUndefined();
		expect(routeFor('forcePasswordReset', account('entraID'))).toBeUndefined();
		expect(routeFor('revokeSessions', account('activeDirectory'))).toBeUndefined();
		expect(routeFor('requireSignInAgain', account('entraID'))).toBe('entra');
		// The invokeAction page names no provider for Mark as Compromised and leaves Entra ID out of its scope.
		expect(routeFor('markCompromised', account('entraID'))).toBeUndefined();
		expect(routeFor('markCompromised', account('entraID', ['markUserAsCompromised']))).toBe(
			'invokeAction',
		);
		expect(routeFor('markCompromised', account('activeDirectory'))).toBeUndefined();
		expect(routeFor('forcePasswordReset', account('okta', ['forcePasswordReset']))).toBe(
			'invokeAction',
		);
		expect(routeFor('disable', account('activeDirectory', ['enable']))).toBeUndefined();
		expect(routeFor('disable', account('entraID', ['markUserAsCompromised']))).toBe('entra');
	});
});
