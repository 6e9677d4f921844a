import { formatFromContent } from './input-format.js';
import type { SdfContext } from './sdf/context.js';
import type { XmlDeclaration, XmlError } from './xml-reader.js';

/**
 * The XML reader's failure as a diagnostic: the reference tool's line (`Could not parse …`
 * with roxmltree's text) and, for an element left open, our own words and a note at its
 * start tag, which roxmltree does not point at.
 */
export function reportXmlError(ctx: SdfContext, error: XmlError): void {
  const text = ctx.file.text;
  const reference = `Could not parse '${ctx.file.name}': ${error.message}`;
  const span = { start: error.offset, end: Math.min(text.length, error.offset + 1) };
  if (error.unclosed) {
    const { name, nameSpan } = error.unclosed;
    const atEnd = error.offset >= text.length;
    const message = atEnd ? `the file ends while <${name}> is still open` : `<${name}> is not closed before this end tag`;
    ctx.report('xml_element_unclosed', message, {
      reference,
      span,
      notes: [{ message: `<${name}> is opened here`, file: ctx.file, span: nameSpan }],
      hint: `close it with </${name}>, or write it as an empty element <${name} … />`,
    });
    return;
  }
  const looksLike = formatFromContent(text);
  ctx.report('xml_syntax', `not well-formed XML: ${error.message}`, {
    reference,
    span,
    notes: error.open ? [{ message: `the element open here is <${error.open.name}>`, file: ctx.file, span: error.open.nameSpan }] : [],
    ...(looksLike === 'json' || looksLike === 'yaml'
      ? { hint: `the file looks like ${looksLike === 'json' ? 'JSON' : 'YAML'}: name it .${looksLike} to have sel4ts read it as ${looksLike === 'json' ? 'JSON' : 'YAML'} (the Microkit tool reads XML only)` }
      : {}),
  });
}

const UTF8 = /^utf-?8$/i;
// A file of ASCII characters only is truthfully US-ASCII, and the same in UTF-8.
const ASCII = /^(us-)?ascii$/i;

/**
 * What XML 1.0 requires of the declaration's values, which roxmltree (and so the reference
 * tool) does not check: version 1.x, an encoding the file is read in (UTF-8: the reference
 * reads every file as UTF-8, whatever it declares), standalone yes or no. Warnings: the
 * reference tool accepts such a file (roxmltree 0.19 checks the declaration's syntax only), and
 * sel4ts gives the reference's verdict on every file; bytes that are not UTF-8 are an error of
 * their own (`encoding_invalid_utf8`), as they are for the reference.
 */
export function checkXmlDeclaration(ctx: SdfContext, declaration: XmlDeclaration): void {
  const { version, encoding, standalone } = declaration;
  const unchecked = 'the Microkit tool does not check this';
  if (version.name !== 'version' || !/^1\.[0-9]+$/.test(version.value)) {
    ctx.report('xml_declaration_invalid', version.name !== 'version' ? `'${version.name}' in the XML declaration is not 'version'` : `the XML declaration says version '${version.value}': a system description is XML 1.0`, {
      span: version.name !== 'version' ? version.nameSpan : version.valueSpan,
      hint: `write version="1.0"; ${unchecked}`,
      severity: 'warning',
    });
  }
  if (encoding) {
    if (encoding.name !== 'encoding' || !/^[A-Za-z][A-Za-z0-9._-]*$/.test(encoding.value)) {
      ctx.report('xml_declaration_invalid', encoding.name !== 'encoding' ? `'${encoding.name}' in the XML declaration is not 'encoding'` : `'${encoding.value}' is not an encoding name`, {
        span: encoding.name !== 'encoding' ? encoding.nameSpan : encoding.valueSpan,
        hint: `write encoding="UTF-8", or leave it out; ${unchecked}`,
        severity: 'warning',
      });
    } else if (!UTF8.test(encoding.value) && !(ASCII.test(encoding.value) && /^[\0-\x7f]*$/.test(ctx.file.text))) {
      ctx.report('encoding_declared_not_utf8', `the XML declaration says the file is in ${encoding.value}, but a system description is read as UTF-8`, {
        span: encoding.valueSpan,
        hint: 'save the file as UTF-8 and write encoding="UTF-8" (or leave it out); the Microkit tool ignores the declaration and reads the bytes as UTF-8',
        severity: 'warning',
      });
    }
  }
  if (standalone && (standalone.name !== 'standalone' || (standalone.value !== 'yes' && standalone.value !== 'no'))) {
    ctx.report('xml_declaration_invalid', standalone.name !== 'standalone' ? `'${standalone.name}' in the XML declaration is not 'standalone'` : `standalone is '${standalone.value}', not 'yes' or 'no'`, {
      span: standalone.name !== 'standalone' ? standalone.nameSpan : standalone.valueSpan,
      hint: `write standalone="yes" or "no", or leave it out; ${unchecked}`,
      severity: 'warning',
    });
  }
}
