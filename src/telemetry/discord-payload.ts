/**
 * The body of a Discord "execute webhook" call and the cut that keeps it within Discord's message
 * limits, so a long alert summary or a big custom payload is shortened instead of refused (400).
 * @see https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 */

/** Discord's documented message limits, in characters (`embeds` and `fields`: counts). */
export const DISCORD_LIMITS = {
  /** Characters of `content`. */
  content: 2000,
  /** Embeds per message. */
  embeds: 10,
  /** Characters of all embeds together (titles, descriptions, fields, footers, authors). */
  embedTotal: 6000,
  /** Characters of an embed title. */
  title: 256,
  /** Characters of an embed description. */
  description: 4096,
  /** Fields per embed. */
  fields: 25,
  /** Characters of a field name. */
  fieldName: 256,
  /** Characters of a field value. */
  fieldValue: 1024,
  /** Characters of a footer. */
  footer: 2048,
  /** Characters of an author name. */
  author: 256,
  /** Characters of the username override. */
  username: 80,
} as const;

/** One name/value row of an embed. */
export interface DiscordEmbedField {
  /** The field's heading; an empty one is sent as "—". */
  name: string;
  /** The field's text; an empty one is sent as "—" (Discord rejects empty values). */
  value: string;
  /** Shown side by side with the neighbouring inline fields. */
  inline?: boolean;
}

/** A rich card of a message (the parts we send). */
export interface DiscordEmbed {
  /** Heading of the card. */
  title?: string;
  /** Body text (Markdown). */
  description?: string;
  /** Colour of the card's left edge, as `0xRRGGBB`. */
  color?: number;
  /** ISO 8601 time shown in the card's footer. */
  timestamp?: string;
  /** Name/value rows. */
  fields?: DiscordEmbedField[];
  /** Footer text. */
  footer?: {
    /** The footer's text. */
    text: string;
  };
  /** Author line above the title. */
  author?: {
    /** The author's name. */
    name: string;
  };
}

/** The JSON body of an "execute webhook" call (the parts we send). */
export interface DiscordPayload {
  /** Plain message text. */
  content?: string;
  /** Overrides the webhook's display name for this message. */
  username?: string;
  /** Rich cards, at most 10. */
  embeds?: DiscordEmbed[];
}

const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Characters of an embed that count toward Discord's 6,000 per message. */
const embedChars = (embed: DiscordEmbed): number =>
  (embed.title?.length ?? 0) +
  (embed.description?.length ?? 0) +
  (embed.footer?.text.length ?? 0) +
  (embed.author?.name.length ?? 0) +
  (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0);

/** A copy of `embed` with each text cut to its own limit and fields past 25 dropped. */
function fitEmbed(embed: DiscordEmbed): DiscordEmbed {
  const limits = DISCORD_LIMITS;
  const fitted: DiscordEmbed = { ...embed };
  if (embed.title !== undefined) fitted.title = cut(embed.title, limits.title);
  if (embed.description !== undefined) fitted.description = cut(embed.description, limits.description);
  if (embed.footer !== undefined) fitted.footer = { text: cut(embed.footer.text, limits.footer) };
  if (embed.author !== undefined) fitted.author = { name: cut(embed.author.name, limits.author) };
  if (embed.fields !== undefined) {
    fitted.fields = embed.fields.slice(0, limits.fields).map((field) => ({
      ...field,
      name: cut(field.name || '—', limits.fieldName),
      value: cut(field.value || '—', limits.fieldValue),
    }));
  }
  return fitted;
}

/**
 * A copy of `payload` within Discord's limits: text cut with "…", embeds past 10 and fields past
 * 25 dropped, empty field values replaced by "—" (Discord rejects them), then fields removed from
 * the last embed backwards until all embeds together hold at most 6,000 characters.
 */
export function fitToDiscordLimits(payload: DiscordPayload): DiscordPayload {
  const limits = DISCORD_LIMITS;
  const out: DiscordPayload = {};
  if (payload.content !== undefined) out.content = cut(payload.content, limits.content);
  if (payload.username !== undefined) out.username = cut(payload.username, limits.username);
  if (payload.embeds === undefined) return out;
  const embeds = payload.embeds.slice(0, limits.embeds).map(fitEmbed);
  let total = embeds.reduce((sum, embed) => sum + embedChars(embed), 0);
  for (let index = embeds.length - 1; index >= 0 && total > limits.embedTotal; index--) {
    const embed = embeds[index] as DiscordEmbed;
    while (total > limits.embedTotal && embed.fields !== undefined && embed.fields.length > 0) {
      const field = embed.fields.pop() as DiscordEmbedField;
      total -= field.name.length + field.value.length;
    }
    if (total > limits.embedTotal && embed.description !== undefined) {
      const keep = Math.max(1, embed.description.length - (total - limits.embedTotal));
      total -= embed.description.length;
      embed.description = cut(embed.description, keep);
      total += embed.description.length;
    }
    if (total > limits.embedTotal && index > 0) {
      total -= embedChars(embed);
      embeds.pop();
    }
  }
  out.embeds = embeds;
  return out;
}
