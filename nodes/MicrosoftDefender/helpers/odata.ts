import { isoDateTime } from './validate';

/** An OData string literal: quotes doubled, as OData requires. */
export function odataString(value: string): string {
	return `'${value.replace(/'/g, "''")}'`;
}

/** An OData datetime literal from user input; refuses what is not a date, naming the field. */
export function odataDateTime(value: unknown, fieldLabel: string): string {
	return isoDateTime(value, fieldLabel);
}
