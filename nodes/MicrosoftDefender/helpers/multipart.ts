/** A multipart/form-data part: a text field, or a file with its bytes. */
export type FormPart =
	| { name: string; value: string }
	| { name: string; fileName: string; data: Buffer; contentType?: string };

/**
 * A multipart/form-data body and its content type. n8n sends form bodies only as instances of the
 * form-data package, which this package does not ship; the body is simple enough to write out here.
 */
export function multipartBody(parts: FormPart[]): { body: Buffer; contentType: string } {
	const boundary = `----n8nDefender${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
	const quoted = (text: string) => text.replace(/["\r\n]/g, (char) => encodeURIComponent(char));
	const chunks: Buffer[] = [];
	for (const part of parts) {
		const head =
			'value' in part
				? `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(part.name)}"\r\n\r\n`
				: `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(part.name)}"; filename="${quoted(part.fileName)}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`;
		chunks.push(
			Buffer.from(head, 'utf8'),
			'value' in part ? Buffer.from(part.value, 'utf8') : part.data,
			Buffer.from('\r\n', 'utf8'),
		);
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
