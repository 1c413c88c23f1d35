'use client';

import { useState } from 'react';

type Status = 'idle' | 'sending' | 'done' | 'failed';

/**
 * The conversion: posts to the route handler, which records it with `flags.track` on the
 * server (where the user's id cookie and the exposures are). Receives what it shows as
 * props; it knows nothing about the experiment.
 */
export function ConvertButton({ priceUsd }: { priceUsd: number }) {
  const [status, setStatus] = useState<Status>('idle');

  const subscribe = async () => {
    setStatus('sending');
    try {
      const response = await fetch('/api/convert', { method: 'POST' });
      setStatus(response.ok ? 'done' : 'failed');
    } catch {
      setStatus('failed');
    }
  };

  return (
    <div>
      <button
        type="button"
        data-testid="convert"
        onClick={subscribe}
        disabled={status === 'sending' || status === 'done'}
        style={{ fontSize: 18, padding: '12px 24px', borderRadius: 10, border: 0, background: '#5b7cfa', color: 'white', cursor: 'pointer' }}
      >
        Subscribe for ${priceUsd}
      </button>
      <p data-testid="status" data-status={status} aria-live="polite">
        {status === 'done' ? 'Thanks, you are subscribed.' : status === 'failed' ? 'Something went wrong, try again.' : ''}
      </p>
    </div>
  );
}
