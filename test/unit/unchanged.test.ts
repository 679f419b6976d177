import { alreadyApplied } from '../../dist/nodes/MicrosoftDefender/helpers/unchanged';

const STATUSES = ['Active', 'InProgress', 'Resolved', 'Redirected'];

describe('alreadyApplied', () => {
	it.each([
		[
			'Graph words for the node’s values',
			{ status: 'inProgress', determination: 'unknown' },
			{ status: 'inProgress', determination: 'unknown' },
			true,
		],
		[
			'Graph record, Defender body',
			{ classification: 'truePositive' },
			{ classification: 'TruePositive' },
			true,
		],
		[
			'assignee in another case',
			{ assignedTo: 'Ann@Contoso.com' },
			{ assignedTo: 'ann@contoso.com' },
			true,
		],
		['tags as a set, any case', { customTags: ['A', 'b'] }, { customTags: ['B', 'a'] }, true],
		['a tag more', { tags: ['a'] }, { tags: ['a', 'b'] }, false],
		['another status', { status: 'Active' }, { status: 'Resolved' }, false],
		['an unassigned incident', { assignedTo: null }, { assignedTo: 'ann@contoso.com' }, false],
		['a field it does not compare', { status: 'Active' }, { comment: 'x' }, false],
	])('%s → %s', (_, record, body, expected) => {
		expect(alreadyApplied(record, body, STATUSES)).toBe(expected);
	});
});
