/**
 * Where a Quire document lives inside its Y.Doc: the Y.XmlFragment that y-prosemirror binds the
 * editor to. Part of the stored format: the editor, the server's conversions and every reader of
 * stored documents use this name, and changing it is a data migration.
 */
export const FRAGMENT_NAME = 'prosemirror';
