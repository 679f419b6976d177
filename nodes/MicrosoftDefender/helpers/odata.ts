/** An OData string literal: quotes doubled, as OData requires. */
export function odataString(value: string): string {
	return `'${value.replace(/'/g, "''")}'`;
}

/** An OData datetime literal from user input; refuses what is not a date, naming the field. */
export function odataDateTime(value: unknown, fieldLabel: string): string {
	const time = typeof value === 'string' || typeof value === 'number' ? Date.parse(String(value)) : NaN;
	if (Number.isNaN(time)) {
		throw new Error(`${fieldLabel} "${String(value)}" is not a date. Use an ISO 8601 date such as 2026-11-01T00:00:00Z, or pick one in the date picker.`);
	}
	return new Date(time).toISOString();
}
