import { CodedException } from './coded-exception';

enum SampleCode {
  BROKEN = 'BROKEN',
}

class SampleException extends CodedException<SampleCode> {
  constructor(message: string, options?: { cause?: unknown }) {
    super(SampleCode.BROKEN, message, options);
  }
}

describe(CodedException.name, () => {
  it('carries its code, message and cause, named after the subclass', () => {
    const cause = new Error('underneath');
    const error = new SampleException('it broke', { cause });
    expect(error).toBeInstanceOf(CodedException);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code: 'BROKEN',
      message: 'it broke',
      name: 'SampleException',
      cause,
    });
    expect(String(error)).toBe('SampleException: it broke');
  });
});
