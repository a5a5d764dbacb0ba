<?php
/**
 * Create many accounts and edits in one PHP process, for benchmark fixtures.
 *
 * createAndPromote.php costs a PHP start-up (about half a second) per account;
 * 20,000 participants would take hours. This script reads a tab-separated file:
 *
 *   account<TAB>Name                      create the account (no password) if missing
 *   edit<TAB>Name<TAB>Title<TAB>Text      save Text to Title as Name ("\n" = line break)
 *
 * and commits every 500 lines. Edits go through WikiPage::doUserEditContent, so
 * revisions, actors, sizes and parent ids are exactly what a real edit writes.
 *
 * Usage: php bulk_history.php --conf DIR/LocalSettings.php FILE
 */

require_once ( getenv( 'MW_INSTALL_PATH' ) ?: '/usr/share/mediawiki' ) . '/maintenance/Maintenance.php';

use MediaWiki\MediaWikiServices;

class CampaignkitBulkHistory extends Maintenance {
	public function __construct() {
		parent::__construct();
		$this->addDescription( 'Create accounts and edits listed in a TSV file (benchmarks).' );
		$this->addArg( 'file', 'Tab-separated actions: account/edit lines', true );
	}

	public function execute() {
		$services = MediaWikiServices::getInstance();
		$pages = $services->getWikiPageFactory();
		$dbw = $this->getDB( DB_PRIMARY );
		$handle = fopen( $this->getArg( 0 ), 'r' );
		if ( $handle === false ) {
			$this->fatalError( 'cannot open ' . $this->getArg( 0 ) );
		}
		$accounts = 0;
		$edits = 0;
		$lines = 0;
		$this->beginTransaction( $dbw, __METHOD__ );
		while ( ( $line = fgets( $handle ) ) !== false ) {
			$parts = explode( "\t", rtrim( $line, "\n" ) );
			if ( $parts[0] === 'account' ) {
				$user = User::newFromName( $parts[1] );
				if ( $user && $user->getId() === 0 ) {
					User::createNew( $parts[1] );
					$accounts++;
				}
			} elseif ( $parts[0] === 'edit' && count( $parts ) === 4 ) {
				$user = User::newFromName( $parts[1] );
				$title = Title::newFromText( $parts[2] );
				if ( !$user || !$title ) {
					$this->fatalError( "bad line: $line" );
				}
				$content = ContentHandler::makeContent( str_replace( '\n', "\n", $parts[3] ), $title );
				$status = $pages->newFromTitle( $title )->doUserEditContent(
					$content, $user, 'campaignkit benchmark'
				);
				if ( !$status->isOK() ) {
					$this->fatalError( "edit of {$parts[2]} failed: " . $status->getWikiText() );
				}
				$edits++;
			}
			if ( ++$lines % 500 === 0 ) {
				$this->commitTransaction( $dbw, __METHOD__ );
				$this->beginTransaction( $dbw, __METHOD__ );
			}
		}
		$this->commitTransaction( $dbw, __METHOD__ );
		fclose( $handle );
		$this->output( "accounts: $accounts, edits: $edits\n" );
	}
}

$maintClass = CampaignkitBulkHistory::class;
require_once RUN_MAINTENANCE_IF_MAIN;
