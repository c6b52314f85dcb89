import { expect } from 'chai';
import { haproxySkeleton, nginxSkeleton } from './skeleton.js';

/** The injection tests are only as good as this oracle: it must see what a proxy would parse. */
describe('configuration skeletons (the injection oracle)', () => {
  it('sees a quoted semicolon as part of one nginx argument, and a bare one as a new directive', () => {
    const quoted = nginxSkeleton('http { add_header X "a; return 200 x"; }');
    const injected = nginxSkeleton('http { add_header X a; return 200 x; }');
    expect(quoted).to.not.deep.equal(injected);
    expect(quoted).to.deep.equal(nginxSkeleton('http { add_header X "b"; }'));
  });

  it('sees an nginx brace inside quotes as text, and outside as a block', () => {
    expect(nginxSkeleton('location "/a}" { return 404; }')).to.deep.equal(
      nginxSkeleton('location "/b" { return 404; }'),
    );
    expect(nginxSkeleton('location /a} { return 404; }')).to.not.deep.equal(
      nginxSkeleton('location /b { return 404; }'),
    );
  });

  it('treats nginx # as a comment only at the start of a token', () => {
    expect(nginxSkeleton('set $a b#c;')).to.deep.equal(nginxSkeleton('set $a bc;'));
    expect(nginxSkeleton('set $a b #c;\nset $x y;')).to.not.deep.equal(nginxSkeleton('set $a b;\nset $x y;'));
  });

  it('counts HAProxy words with quotes and escapes as HAProxy does', () => {
    expect(haproxySkeleton('frontend f\n    http-request set-header X "a b"')).to.deep.equal(
      haproxySkeleton('frontend f\n    http-request set-header X ab'),
    );
    expect(haproxySkeleton('frontend f\n    http-request set-header X a\\ b')).to.deep.equal(
      haproxySkeleton('frontend f\n    http-request set-header X ab'),
    );
    expect(haproxySkeleton('frontend f\n    http-request set-header X a b')).to.not.deep.equal(
      haproxySkeleton('frontend f\n    http-request set-header X ab'),
    );
    expect(
      haproxySkeleton('frontend f\n    http-request set-header X a\nuse_backend evil'),
    ).to.not.deep.equal(haproxySkeleton('frontend f\n    http-request set-header X a'));
  });
});
