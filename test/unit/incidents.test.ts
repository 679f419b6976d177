import { buildIncidentQuery } from '../../dist/nodes/MicrosoftDefender/helpers/incidentRequests';
import { readHuntingResponse } from '../../dist/nodes/MicrosoftDefender/helpers/hunting';
import { odataString } from '../../dist/nodes/MicrosoftDefender/helpers/odata';
import {
	simplifyIncident,
	toGraphValue,
	toNodeValue,
	SEVERITIES,
	DETERMINATIONS,
	determinationFor,
} from '../../dist/nodes/MicrosoftDefender/helpers/incidents';
import { simplifyAlert } from '../../dist/nodes/MicrosoftDefender/helpers/alerts';

describe('OData filters', () => {
	it('escapes quotes in string literals and translates values for Graph', () => {
		expect(odataString("o'brien' or 1 eq 1 or ''")).toBe("'o''brien'' or 1 eq 1 or '''''");
		expect(buildIncidentQuery('graph', { status: 'InProgress', assignedTo: "a'b" }).filter).toBe(
			"status eq 'inProgress' and assignedTo eq 'a''b'",
		);
		expect(
			buildIncidentQuery('defenderXdr', { updatedAfter: '2026-11-01T10:00:00+02:00' }).filter,
		).toBe('lastUpdateTime ge 2026-11-01T08:00:00.000Z');
	});

	it('Status: a single saved string (before the filter took several) and a list of one give the same $filter; several are matched per record', () => {
		const saved = buildIncidentQuery('graph', { status: 'InProgress' });
		expect(saved.filter).toBe("status eq 'inProgress'");
		expect(buildIncidentQuery('graph', { status: ['InProgress'] }).filter).toBe(saved.filter);
		expect(saved.filteredLocally).toBe(false);
		for (const [api, active, inProgress, resolved] of [
			['graph', 'active', 'inProgress', 'resolved'],
			['defenderXdr', 'Active', 'InProgress', 'Resolved'],
		] as const) {
			const several = buildIncidentQuery(api, { status: ['Active', 'InProgress'] });
			expect(several.filter).toBeUndefined();
			expect(several.filteredLocally).toBe(true);
			expect([active, inProgress, resolved].map((status) => several.matches({ status }))).toEqual([
				true,
				true,
				false,
			]);
		}
		expect(buildIncidentQuery('defenderXdr', { status: [] }).filter).toBeUndefined();
	});

	it('maps values between the two APIs both ways', () => {
		expect(toGraphValue('UnSpecified')).toBe('unknown');
		expect(toGraphValue('NotAvailable')).toBe('unknown');
		expect(toGraphValue('InformationalExpectedActivity')).toBe('informationalExpectedActivity');
		expect(toNodeValue('unknown', SEVERITIES)).toBe('UnSpecified');
		expect(toNodeValue('unknown', DETERMINATIONS)).toBe('NotAvailable');
		expect(toNodeValue('multiStagedAttack', DETERMINATIONS)).toBe('MultiStagedAttack');
		expect(toNodeValue('someFutureValue', DETERMINATIONS)).toBe('someFutureValue');
	});

	it('sends each API the determination spelling its write page documents (issue 22 rows 1, 2, 4)', () => {
		const spelled = (value: string) =>
			(['graph', 'defenderXdr', 'endpoint'] as const).map((api) => determinationFor(api, value));
		expect(spelled('ConfirmedUserActivity')).toEqual([
			'confirmedActivity',
			'ConfirmedActivity',
			'ConfirmedActivity',
		]);
		expect(spelled('NotEnoughDataToValidate')).toEqual([
			'notEnoughDataToValidate',
			'NoEnoughDataToValidate',
			'InsufficientData',
		]);
		expect(spelled('CompromisedAccount')).toEqual([
			'compromisedAccount',
			'CompromisedAccount',
			'CompromisedUser',
		]);
		expect(spelled('NotMalicious')).toEqual(['notMalicious', 'NotMalicious', 'NotMalicious']);
	});

	it('reads every spelling Microsoft uses as one value, and Graph’s awaitingAction status', () => {
		const read = (determination: string) =>
			simplifyIncident('defenderXdr', { incidentId: 1, determination }).determination;
		for (const spelling of [
			'InsufficientData',
			'NoEnoughDataToValidate',
			'NotEnoughDataToValidate',
			'notEnoughDataToValidate',
		])
			expect(read(spelling)).toBe('NotEnoughDataToValidate');
		for (const spelling of ['ConfirmedUserActivity', 'ConfirmedActivity', 'confirmedActivity'])
			expect(read(spelling)).toBe('ConfirmedUserActivity');
		for (const spelling of ['Clean', 'NotMalicious', 'notMalicious'])
			expect(read(spelling)).toBe('NotMalicious');
		for (const spelling of ['CompromisedUser', 'CompromisedAccount', 'compromisedAccount'])
			expect(read(spelling)).toBe('CompromisedAccount');
		expect(simplifyAlert({ id: 'a', determination: 'InsufficientData' }).determination).toBe(
			'NotEnoughDataToValidate',
		);
		expect(simplifyIncident('graph', { id: '5', status: 'awaitingAction' }).status).toBe(
			'AwaitingAction',
		);
	});

	it('simplifies an incident with missing fields without failing', () => {
		expect(simplifyIncident('graph', { id: '5' })).toEqual({
			id: '5',
			title: null,
			severity: null,
			status: null,
			classification: null,
			determination: null,
			assignedTo: null,
			createdAt: null,
			updatedAt: null,
			tags: [],
			alertCount: null,
			portalUrl: null,
		});
	});
});

describe('hunting results', () => {
	it('types values by the schema of either API shape', () => {
		const xdr = readHuntingResponse({
			Schema: [
				{ Name: 'N', Type: 'Int64' },
				{ Name: 'B', Type: 'Boolean' },
				{ Name: 'D', Type: 'Dynamic' },
				{ Name: 'T', Type: 'DateTime' },
			],
			Results: [
				{ N: '9007199254740993', B: 'False', D: '["a",{"b":1}]', T: '2026-01-01T00:00:00Z' },
				{ N: 12, B: true, D: 'not json', T: null },
			],
			Stats: { ExecutionTime: 0.1 },
		});
		expect(xdr.rows).toEqual([
			{ N: '9007199254740993', B: false, D: ['a', { b: 1 }], T: '2026-01-01T00:00:00Z' },
			{ N: 12, B: true, D: 'not json', T: null },
		]);
		expect(xdr.stats).toEqual({ ExecutionTime: 0.1 });
		const graph = readHuntingResponse({
			schema: [{ name: 'X', type: 'Int32' }],
			results: [{ X: '3' }],
		});
		expect(graph.rows).toEqual([{ X: 3 }]);
	});
});
