// @ts-check
'use strict';
// A scripted OpenAI-compatible model, so that n8n's AI Agent can drive the Microsoft Defender tool in
// tests without a real model. n8n's OpenAI Chat Model (credential Base URL = `${emu.openAiBaseUrl}`)
// calls the Responses API (`POST /v1/responses`, node version 1.3 and later, n8n 1.x and 2.x) or Chat
// Completions (`POST /v1/chat/completions`, "Use Responses API" off or node versions before 1.3).
// The script is a list of turns: the model's reply to a request is the turn whose index is the number
// of tool results already in the conversation, so the same script works whatever the client resends.
const crypto = require('node:crypto');
const { HttpError, sendJson, readJson } = require('./util');

/**
 * @typedef {{ call: string, arguments: Record<string, unknown> }} ToolTurn
 *   call: the tool to call, matched against the names the client offers (case and punctuation ignored, substring)
 * @typedef {{ answer: string }} AnswerTurn
 *   answer: the final text; `{{output:N}}` is replaced by the text of the N-th tool result (0-based)
 * @typedef {ToolTurn | AnswerTurn} Turn
 * @typedef {{ api: 'responses' | 'chat', model: string, tools: string[], toolDescriptions: Record<string, string>, toolOutputs: string[], reply: Record<string, unknown> }} ModelExchange
 */

const id = (/** @type {string} */ prefix) => `${prefix}_${crypto.randomBytes(12).toString('hex')}`;
const squash = (/** @type {string} */ name) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
/** A rough token count for the usage block (4 characters a token). */
const tokens = (/** @type {unknown} */ value) => Math.ceil(JSON.stringify(value ?? '').length / 4);

/** Tool-result content as text: a string, or the text parts of an array of content parts. @param {unknown} content */
function textOf(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content))
		return content
			.map((part) => (typeof part === 'string' ? part : String(part?.text ?? part?.output ?? '')))
			.join('');
	return JSON.stringify(content ?? '');
}

function createOpenAi() {
	/** @type {Turn[]} */
	let script = [{ answer: 'No script is set: call setModelScript() first.' }];
	/** @type {ModelExchange[]} */
	const exchanges = [];

	/** @param {Turn[]} turns */
	function setModelScript(turns) {
		if (!Array.isArray(turns) || turns.length === 0)
			throw new Error('setModelScript takes a non-empty array of turns');
		script = turns;
		exchanges.length = 0;
	}

	/**
	 * The scripted turn for a conversation with `toolOutputs` results so far and `offered` tool names.
	 * @param {string[]} offered @param {string[]} toolOutputs
	 * @returns {{ call: { name: string, arguments: string } } | { text: string }}
	 */
	function nextTurn(offered, toolOutputs) {
		const turn = script[Math.min(toolOutputs.length, script.length - 1)];
		if ('answer' in turn) {
			return {
				text: turn.answer.replace(
					/\{\{output:(\d+)\}\}/g,
					(_, n) => toolOutputs[Number(n)] ?? `(no tool output ${n})`,
				),
			};
		}
		const name = offered.find((tool) => squash(tool).includes(squash(turn.call)));
		if (!name)
			throw new HttpError(
				400,
				'invalid_request_error',
				`The script calls a tool matching "${turn.call}", but the request offers only: ${offered.join(', ') || 'no tools'}`,
			);
		return { call: { name, arguments: JSON.stringify(turn.arguments) } };
	}

	/** Responses API: input items in, output items out. @param {any} body */
	function respond(body) {
		const input = Array.isArray(body.input) ? body.input : [];
		const functions = (body.tools ?? []).filter(
			(/** @type {any} */ tool) => tool.type === 'function',
		);
		const offered = functions.map((/** @type {any} */ tool) => String(tool.name));
		const toolDescriptions = Object.fromEntries(
			functions.map((/** @type {any} */ tool) => [String(tool.name), String(tool.description)]),
		);
		const toolOutputs = input
			.filter((/** @type {any} */ item) => item?.type === 'function_call_output')
			.map((/** @type {any} */ item) => textOf(item.output));
		const turn = nextTurn(offered, toolOutputs);
		const output =
			'call' in turn
				? [
						{
							type: 'function_call',
							id: id('fc'),
							call_id: id('call'),
							name: turn.call.name,
							arguments: turn.call.arguments,
							status: 'completed',
						},
					]
				: [
						{
							type: 'message',
							id: id('msg'),
							role: 'assistant',
							status: 'completed',
							content: [{ type: 'output_text', text: turn.text, annotations: [] }],
						},
					];
		const usage = {
			input_tokens: tokens(input),
			input_tokens_details: { cached_tokens: 0 },
			output_tokens: tokens(output),
			output_tokens_details: { reasoning_tokens: 0 },
		};
		const reply = {
			id: id('resp'),
			object: 'response',
			created_at: Math.floor(Date.now() / 1000),
			status: 'completed',
			error: null,
			incomplete_details: null,
			model: body.model,
			output,
			parallel_tool_calls: true,
			tool_choice: body.tool_choice ?? 'auto',
			tools: body.tools ?? [],
			usage: { ...usage, total_tokens: usage.input_tokens + usage.output_tokens },
		};
		exchanges.push({
			api: 'responses',
			model: body.model,
			tools: offered,
			toolDescriptions,
			toolOutputs,
			reply,
		});
		return reply;
	}

	/** Chat Completions: messages in, one choice out. @param {any} body */
	function complete(body) {
		const messages = Array.isArray(body.messages) ? body.messages : [];
		const functions = (body.tools ?? []).filter(
			(/** @type {any} */ tool) => tool.type === 'function',
		);
		const offered = functions.map((/** @type {any} */ tool) => String(tool.function?.name));
		const toolDescriptions = Object.fromEntries(
			functions.map((/** @type {any} */ tool) => [
				String(tool.function?.name),
				String(tool.function?.description),
			]),
		);
		const toolOutputs = messages
			.filter((/** @type {any} */ message) => message?.role === 'tool')
			.map((/** @type {any} */ message) => textOf(message.content));
		const turn = nextTurn(offered, toolOutputs);
		const message =
			'call' in turn
				? {
						role: 'assistant',
						content: null,
						tool_calls: [{ id: id('call'), type: 'function', function: turn.call }],
					}
				: { role: 'assistant', content: turn.text };
		const usage = { prompt_tokens: tokens(messages), completion_tokens: tokens(message) };
		const reply = {
			id: id('chatcmpl'),
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: body.model,
			choices: [
				{
					index: 0,
					message,
					logprobs: null,
					finish_reason: 'call' in turn ? 'tool_calls' : 'stop',
				},
			],
			usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
		};
		exchanges.push({
			api: 'chat',
			model: body.model,
			tools: offered,
			toolDescriptions,
			toolOutputs,
			reply,
		});
		return reply;
	}

	/**
	 * Serves `/openai/v1/...`. Any non-empty API key is accepted, as a local OpenAI-compatible server does.
	 * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {string} subPath path after /openai
	 */
	async function handle(req, res, subPath) {
		if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? ''))
			throw new HttpError(401, 'invalid_api_key', "You didn't provide an API key.");
		const method = req.method ?? 'GET';
		if (method === 'GET' && subPath === '/v1/models') {
			sendJson(res, 200, {
				object: 'list',
				data: [
					{ id: 'gpt-4.1-mini', object: 'model', created: 1_700_000_000, owned_by: 'emulator' },
				],
			});
			return;
		}
		const route =
			method === 'POST' && { '/v1/responses': respond, '/v1/chat/completions': complete }[subPath];
		if (!route)
			throw new HttpError(404, 'not_found', `Unknown OpenAI-compatible route ${method} ${subPath}`);
		const body = await readJson(req);
		if (body.stream === true)
			throw new HttpError(
				400,
				'invalid_request_error',
				'The scripted model does not stream: n8n streams only behind a Chat Trigger set to stream its response.',
			);
		sendJson(res, 200, route(body));
	}

	return {
		handle,
		setModelScript,
		/** What the model was asked and answered, oldest first (cleared by setModelScript). */
		modelExchanges: () => exchanges,
	};
}

module.exports = { createOpenAi };
