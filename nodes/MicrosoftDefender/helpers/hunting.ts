import type { IDataObject } from 'n8n-workflow';

import { quoteLongIntegers } from '../transport/json';

export interface HuntingColumn {
	name: string;
	type: string;
}

export interface HuntingResult {
	schema: HuntingColumn[];
	rows: IDataObject[];
	stats?: IDataObject;
}

function typedValue(value: unknown, type: string): unknown {
	if (value === null || value === undefined) return null;
	switch (type.toLowerCase()) {
		case 'int32':
		case 'int':
		case 'double':
		case 'real':
		case 'decimal':
			return typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))
				? Number(value)
				: value;
		case 'int64':
		case 'long': {
			// Exact beyond 2^53 only as a string; a safe value becomes a number.
			if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return value;
			const number = Number(value);
			return Number.isSafeInteger(number) ? number : value;
		}
		case 'boolean':
		case 'bool':
			if (value === 'true' || value === 'True' || value === 1) return true;
			if (value === 'false' || value === 'False' || value === 0) return false;
			return value;
		case 'dynamic':
			if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
				try {
					return JSON.parse(quoteLongIntegers(value));
				} catch {
					return value;
				}
			}
			return value;
		default:
			// String, Guid and DateTime stay as delivered (DateTime as its ISO string).
			return value;
	}
}

/** Converts every row in place to the types its schema announces; in place, so that a 100,000-row answer is not copied. */
export function typeRows(rows: IDataObject[], schema: HuntingColumn[]): IDataObject[] {
	const typed = schema.filter((column) => !/^(string|guid|datetime|date)$/i.test(column.type));
	if (typed.length === 0) return rows;
	for (const row of rows) {
		for (const { name, type } of typed) {
			if (name in row) row[name] = typedValue(row[name], type) as IDataObject[string];
		}
	}
	return rows;
}

/** Reads either API's answer: `Schema`/`Results`/`Stats` (Defender XDR) or `schema`/`results` (Graph). */
export function readHuntingResponse(body: IDataObject): HuntingResult {
	const rawSchema = (body.Schema ?? body.schema ?? []) as IDataObject[];
	const schema = Array.isArray(rawSchema)
		? rawSchema.map((column) => ({
				name: String(column.Name ?? column.name ?? ''),
				type: String(column.Type ?? column.type ?? 'String'),
			}))
		: [];
	const rows = (body.Results ?? body.results ?? []) as IDataObject[];
	const stats = (body.Stats ?? body.stats) as IDataObject | undefined;
	return { schema, rows: Array.isArray(rows) ? typeRows(rows, schema) : [], stats };
}
