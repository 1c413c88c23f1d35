'use client';

import { type FormEvent, useState } from 'react';

type Status = 'idle' | 'streaming' | 'done' | 'failed';

/**
 * A one-question chat with the assistant: posts to `/api/chat` and shows the answer as it
 * streams in. Knows nothing about telemetry: the route handler's instrumented client records
 * the span, tokens and cost.
 */
export function ChatBox() {
  const [question, setQuestion] = useState('Which plan fits a team of three?');
  const [answer, setAnswer] = useState('');
  const [status, setStatus] = useState<Status>('idle');

  const ask = async (event: FormEvent) => {
    event.preventDefault();
    setStatus('streaming');
    setAnswer('');
    try {
      const response = await fetch('/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: question }] }),
      });
      if (!response.ok || !response.body) throw new Error(String(response.status));
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        setAnswer((a) => a + value);
      }
      setStatus('done');
    } catch {
      setStatus('failed');
    }
  };

  return (
    <form onSubmit={ask} style={{ marginTop: 32, display: 'grid', gap: 8 }}>
      <label htmlFor="question" style={{ opacity: 0.7 }}>
        Ask the assistant
      </label>
      <div style={{ display: 'flex', gap: 8 }}>
        <input
          id="question"
          data-testid="chat-input"
          value={question}
          onChange={(e) => setQuestion(e.target.value)}
          style={{ flex: 1, fontSize: 16, padding: '10px 12px', borderRadius: 10, border: '1px solid #2a3352', background: '#121a33', color: 'inherit' }}
        />
        <button
          type="submit"
          data-testid="chat-send"
          disabled={status === 'streaming' || question.trim() === ''}
          style={{ fontSize: 16, padding: '10px 18px', borderRadius: 10, border: 0, background: '#2a3352', color: 'white', cursor: 'pointer' }}
        >
          Send
        </button>
      </div>
      <p data-testid="chat-answer" data-status={status} aria-live="polite" style={{ minHeight: 24, margin: 0 }}>
        {status === 'failed' ? 'The assistant is unavailable, try again.' : answer}
      </p>
    </form>
  );
}
