import type { IDataObject } from 'n8n-workflow';

import { commentsOf } from '../../dist/nodes/MicrosoftDefender/trigger/feed';
import {
	MAX_SIGHTINGS,
	keepNewest,
	onlyOwnChange,
	ownAuthorMatcher,
	sightingOf,
	type Sighting,
} from '../../dist/nodes/MicrosoftDefender/trigger/loopGuard';

const CLIENT_ID = '6f1c2a43-9d1e-4f7a-8b55-2c0f3e9a7d10';

describe('ownAuthorMatcher', () => {
	const isOwn = ownAuthorMatcher(CLIENT_ID, ' n8n Sync ,, Other ');
	it.each([
		[`API-App:${CLIENT_ID}`, true],
		[`api-app:${CLIENT_ID.toUpperCase()}`, true],
		[CLIENT_ID, true],
		['API-App:n8n sync', true],
		['n8n Sync', true],
		['API-App: Other', true],
		['API-App:n8n Sync 2', false],
		['ann@contoso.com', false],
		['API-App:', false],
		['', false],
	])('%j is this app: %s', (author, expected) => {
		expect(isOwn(author)).toBe(expected);
	});
});

describe('commentsOf', () => {
	it('reads both APIs’ comment shapes', () => {
		expect(
			commentsOf({
				comments: [
					{ comment: 'a', createdBy: 'ann', createdTime: '2026-12-01T10:00:00.1234567Z' },
					{ comment: 'b', createdByDisplayName: 'bob', createdDateTime: '2026-12-01T10:00:01Z' },
				],
			}),
		).toEqual([
			{
				text: 'a',
				author: 'ann',
				createdAt: '2026-12-01T10:00:00.1234567Z',
				time: Date.parse('2026-12-01T10:00:00.123Z'),
			},
			{
				text: 'b',
				author: 'bob',
				createdAt: '2026-12-01T10:00:01Z',
				time: Date.parse('2026-12-01T10:00:01Z'),
			},
		]);
		expect(commentsOf({})).toEqual([]);
	});
});

describe('onlyOwnChange', () => {
	const isOwn = ownAuthorMatcher(CLIENT_ID, '');
	const incident = (fields: IDataObject, comments: Array<[string, string]>): IDataObject => ({
		incidentId: 7,
		status: 'Active',
		lastUpdateTime: '2026-12-01T10:00:00Z',
		...fields,
		comments: comments.map(([createdBy, comment]) => ({
			comment,
			createdBy,
			createdTime: '2026-12-01T10:00:00Z',
		})),
	});
	const seen = (record: IDataObject) => sightingOf(record, 'lastUpdateTime', 1);
	const before = incident({}, [['ann', 'hi']]);
	const app = `API-App:${CLIENT_ID}`;

	it('is true only when the fields are as before and every new comment is the app’s', () => {
		const now = incident({ lastUpdateTime: '2026-12-01T10:05:00Z', lastModifiedBy: app }, [
			['ann', 'hi'],
			[app, 'synced'],
			[app, 'synced'],
		]);
		expect(onlyOwnChange(seen(before), seen(now), now, isOwn)).toBe(true);
	});

	it.each([
		['never seen before', undefined, incident({}, [[app, 'synced']])],
		[
			'a field changed too',
			before,
			incident({ status: 'Resolved' }, [
				['ann', 'hi'],
				[app, 'x'],
			]),
		],
		[
			'a person commented too',
			before,
			incident({}, [
				['ann', 'hi'],
				['bob', 'y'],
				[app, 'x'],
			]),
		],
		['no comment was added', before, incident({ lastUpdateTime: 'later' }, [['ann', 'hi']])],
	])('is false when %s', (_, earlier, now) => {
		expect(onlyOwnChange(earlier && seen(earlier), seen(now), now, isOwn)).toBe(false);
	});
});

describe('keepNewest', () => {
	it('forgets the least recently changed records beyond the cap', () => {
		const sightings: Record<string, Sighting> = {};
		for (let i = 0; i < MAX_SIGHTINGS + 5; i++)
			sightings[`r${i}`] = { time: i, fields: 'f', comments: 0 };
		const kept = keepNewest(sightings);
		expect(Object.keys(kept)).toHaveLength(MAX_SIGHTINGS);
		expect(kept.r4).toBeUndefined();
		expect(kept[`r${MAX_SIGHTINGS + 4}`]).toBeDefined();
	});
});
