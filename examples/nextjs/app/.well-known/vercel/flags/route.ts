/**
 * The Flags Explorer's discovery endpoint: the flags and their variants as override choices
 * (`getProviderData` over the Node runtime's client). `createFlagsDiscoveryEndpoint` answers 401
 * unless the request carries the Explorer's access proof for `FLAGS_SECRET`
 * (`Authorization: Bearer …`), so the definitions stay private.
 */
import { getProviderData } from '@tiqology/elite/flags/vercel';
import { createFlagsDiscoveryEndpoint } from 'flags/next';
import { flags } from '../../../../lib/flags-server';
import { FLAGS_ORIGIN } from '../../../../lib/flags-sdk';

// The flags of lib/flags-sdk.ts are declared with `.variant()`: the choices are variant keys.
export const GET = createFlagsDiscoveryEndpoint(() => getProviderData(flags, { origin: FLAGS_ORIGIN, serves: 'variant' }));
