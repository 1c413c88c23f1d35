import type { Metadata } from 'next';
import type { ReactNode } from 'react';

export const metadata: Metadata = {
  title: 'Pricing · TiQology Elite example',
  description: 'A pricing experiment assigned at the Edge, rendered on the server, measured with @tiqology/elite.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: 0, background: '#0b1020', color: '#e8ecf5' }}>
        {children}
      </body>
    </html>
  );
}
